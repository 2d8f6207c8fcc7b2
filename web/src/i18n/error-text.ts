import type { Translator } from './i18n';
import { isApiError } from '../api/api-error';

/**
 * The server's error as a sentence in the person's language, keyed by its code (`errors.<CODE>`); the
 * server's own English message when no translation exists; never a raw status or a stack.
 */
export function errorText(t: Translator['t'], te: Translator['te'], err: unknown): string {
  if (isApiError(err)) {
    const key = `errors.${err.code}`;
    if (te(key)) return t(key);
    return err.message || t('errors.UNKNOWN');
  }
  return t('errors.UNKNOWN');
}
