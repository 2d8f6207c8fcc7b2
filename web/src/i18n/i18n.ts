import { createTranslator, mergeMessages, type Locale, type Translator } from './translate';

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

// The staff console's words (about a tenth of the app's JavaScript) are not in every student's first
// download: they arrive with the first staff page (loadStaffMessages, awaited by the router).
const modules = import.meta.glob<{ default: FeatureMessages }>(['../**/messages.ts', '!../staff/**'], {
  eager: true,
});
const staffModules = import.meta.glob<{ default: FeatureMessages }>('../staff/**/messages.ts');

function merged(locale: Locale): Tree {
  const out: Tree = {};
  for (const mod of Object.values(modules)) mergeMessages(out, mod.default[locale]);
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

let staffLoaded: Promise<void> | undefined;

/** Loads the staff console's words once; a failed load (a network blip) is tried again next time. */
export function loadStaffMessages(): Promise<void> {
  staffLoaded ??= Promise.all(Object.values(staffModules).map((load) => load())).then(
    (mods) => {
      for (const mod of mods) translator.add(mod.default);
    },
    (err: unknown) => {
      staffLoaded = undefined;
      throw err;
    },
  );
  return staffLoaded;
}
