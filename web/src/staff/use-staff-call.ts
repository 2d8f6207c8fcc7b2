import { ref } from 'vue';
import { isApiError } from '../api/api-error';
import { errorText } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n';

/** A page's one call at a time: busy while it runs, its error as a sentence, VERSION_CONFLICT told apart. */
export function useStaffCall() {
  const { t, te } = useI18n();
  const busy = ref(false);
  const error = ref('');
  const conflict = ref(false);
  /** The last call's error itself, for a page that reads its details. */
  const failure = ref<unknown>(null);
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    error.value = '';
    conflict.value = false;
    failure.value = null;
    try {
      return await fn();
    } catch (err) {
      failure.value = err;
      conflict.value = isApiError(err) && err.code === 'VERSION_CONFLICT';
      error.value = conflict.value ? t('staff.conflict') : errorText(t, te, err);
      return undefined;
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, conflict, failure, run };
}
