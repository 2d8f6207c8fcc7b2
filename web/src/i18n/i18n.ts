import { createTranslator, type Locale, type Translator } from './translate';

/**
 * Korean and English. Each feature keeps its words beside its pages in a `messages.ts` exporting
 * `{ en: {...}, ko: {...} }`; they are merged here, so features never edit one shared file.
 */
export type { Locale, Translator } from './translate';
export const LOCALES: readonly Locale[] = ['ko', 'en'];

/** Shared with the waiting-room page, so the language chosen on one is used on the other. */
const LANG_KEY = 'rushline.lang';

type Tree = Record<string, unknown>;
interface FeatureMessages {
  en: Tree;
  ko: Tree;
}

const modules = import.meta.glob<{ default: FeatureMessages }>('../**/messages.ts', { eager: true });

/** Deep merge: two features may both add to `errors` (each the codes its own calls can answer with). */
function mergeInto(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isObject(existing) && isObject(value)) mergeInto(existing, value);
    else target[key] = isObject(value) ? structuredClone(value) : value;
  }
}
const isObject = (v: unknown): v is Tree => typeof v === 'object' && v !== null;

function merged(locale: Locale): Tree {
  const out: Tree = {};
  for (const mod of Object.values(modules)) mergeInto(out, mod.default[locale]);
  return out;
}

export function initialLocale(): Locale {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'ko' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

const translator = createTranslator({ en: merged('en'), ko: merged('ko') }, initialLocale());

/** The one translator of the app: `t`, `te` and the reactive `locale`, the same in every component. */
export const useI18n = (): Translator => translator;

export function setLocale(locale: Locale): void {
  translator.locale.value = locale;
  localStorage.setItem(LANG_KEY, locale);
  document.documentElement.lang = locale;
}
