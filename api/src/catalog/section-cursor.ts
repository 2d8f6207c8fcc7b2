import { z } from 'zod';

/**
 * A page's position: the sort key (course code, section number, section id) of the last section it
 * showed, as base64url JSON. Not signed: it only says where to resume in a public listing, so an edited
 * but well-formed cursor merely starts elsewhere; anything malformed is refused.
 */
export interface SectionCursor {
  code: string;
  sectionNumber: number;
  id: number;
}

const cursorShape = z.tuple([
  z.string().min(1).max(16),
  z.number().int().min(0).max(65_535),
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
]);

export const encodeSectionCursor = (c: SectionCursor): string =>
  Buffer.from(JSON.stringify([c.code, c.sectionNumber, c.id])).toString('base64url');

/** The cursor, or undefined when the text is not one this server could have given. */
export function decodeSectionCursor(text: string): SectionCursor | undefined {
  // Buffer.from(…, 'base64url') skips characters outside the alphabet rather than failing.
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorShape.safeParse(raw);
  if (!parsed.success) return undefined;
  const [code, sectionNumber, id] = parsed.data;
  return { code, sectionNumber, id };
}
