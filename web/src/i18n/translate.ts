import { ref, type Ref } from 'vue';

/**
 * The app's translator: Korean and English messages, `{name}` parameters and plural forms written
 * `none | one | {n} many` (or `one | many`). It replaces vue-i18n, whose runtime and message compiler
 * cost 45 KB of a 150 KB budget for what these ~60 lines do (ADR 009).
 */
export type Locale = 'ko' | 'en';
export type Params = Record<string, string | number | null | undefined>;
type Tree = Record<string, unknown>;

export interface Translator {
  /** The message at `key` in the current language (English when missing there; the key itself last). */
  t: (key: string, params?: Params | number, count?: number) => string;
  /** Whether the current language has a message at `key`. */
  te: (key: string) => boolean;
  locale: Ref<Locale>;
  /** Merges more messages in (words of a part of the app loaded with its pages), re-rendering what uses them. */
  add: (more: Record<Locale, Tree>) => void;
}

export function createTranslator(messages: Record<Locale, Tree>, initial: Locale): Translator {
  const locale = ref<Locale>(initial);
  // Bumped by add(): t() reads it, so a template that showed a key before its words arrived shows the words.
  const revision = ref(0);

  const lookup = (lang: Locale, key: string): string | undefined => {
    let node: unknown = messages[lang];
    for (const part of key.split('.')) {
      if (typeof node !== 'object' || node === null) return undefined;
      node = (node as Tree)[part];
    }
    return typeof node === 'string' ? node : undefined;
  };

  function t(key: string, params?: Params | number, count?: number): string {
    // Reading locale.value makes every template that calls t() re-render when the language changes.
    void revision.value;
    const message = lookup(locale.value, key) ?? lookup('en', key);
    if (message === undefined) return key;
    const named: Params = typeof params === 'object' ? params : {};
    const implicit =
      typeof named.count === 'number' ? named.count : typeof named.n === 'number' ? named.n : undefined;
    const n = typeof params === 'number' ? params : (count ?? implicit);
    const values: Params = n === undefined ? named : { n, count: n, ...named };
    return interpolate(n === undefined ? message : pluralForm(message, n), values);
  }

  function add(more: Record<Locale, Tree>): void {
    for (const lang of ['en', 'ko'] as const) mergeMessages(messages[lang], more[lang]);
    revision.value += 1;
  }

  function te(key: string): boolean {
    void revision.value;
    return lookup(locale.value, key) !== undefined;
  }

  return { t, te, locale, add };
}

/** Deep merge: two features may both add to `errors` (each the codes its own calls can answer with). */
export function mergeMessages(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isObject(existing) && isObject(value)) mergeMessages(existing, value);
    else target[key] = isObject(value) ? structuredClone(value) : value;
  }
}
const isObject = (v: unknown): v is Tree => typeof v === 'object' && v !== null;

/** vue-i18n's rule: with three forms, 0 | 1 | more; with two, 1 | more. */
function pluralForm(message: string, n: number): string {
  const forms = message.split(' | ');
  if (forms.length === 1) return message;
  const index = forms.length >= 3 ? Math.min(Math.abs(n), 2) : Math.abs(n) === 1 ? 0 : 1;
  return forms[index] ?? forms[forms.length - 1] ?? message;
}

function interpolate(message: string, values: Params): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined || value === null ? whole : String(value);
  });
}
