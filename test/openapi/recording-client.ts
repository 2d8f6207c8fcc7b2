import type { RecordedResponse } from './response-validator.js';

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Calls a running app over real HTTP and keeps every answer, to be checked against its document. */
export class RecordingClient {
  readonly recorded: RecordedResponse[] = [];

  constructor(private readonly base: string) {}

  /** Like call, for an answer whose shape the test relies on (the document check says whether it holds). */
  async json<T>(method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
    const { status, body } = await this.call(method, path, opts);
    return { status, body: body as T };
  }

  async call(method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? undefined;
    const body: unknown = contentType?.startsWith('application/json') ? JSON.parse(text) : text;
    this.recorded.push({ method, path: path.split('?')[0] ?? path, status: res.status, contentType, body });
    return { status: res.status, headers: res.headers, body };
  }
}
