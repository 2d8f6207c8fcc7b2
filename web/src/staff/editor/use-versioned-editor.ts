import { computed, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue';
import { isApiError } from '../../api/api-error';
import { api } from '../../api/http';
import { useI18n } from '../../i18n/i18n';
import { ifMatch } from '../staff-api';
import { useStaffCall } from '../use-staff-call';

const referencedBy = (details: unknown): string | undefined => {
  const table = (details as { referencedBy?: unknown } | null | undefined)?.referencedBy;
  return typeof table === 'string' ? table : undefined;
};

export interface Versioned {
  id: number;
  version: number;
}

/** What the form shell shows and does; no `T` in it, so one shell serves every editor. */
export interface EditorShell {
  busy: Ref<boolean>;
  error: Ref<string>;
  status: Ref<string>;
  editing: ComputedRef<boolean>;
  /** The row as the server has it now, described, after a VERSION_CONFLICT; null otherwise. */
  now: ComputedRef<string | null>;
  /** Bumped when an edit starts, so the shell moves focus to its heading. */
  focusToken: Ref<number>;
  cancel: () => void;
  reload: () => void;
}

export interface EditorOptions<T> {
  /** The resource's collection, e.g. /api/staff/majors (a function: some pages change it). */
  path: () => string;
  /** Puts a row's values (or a blank new row's) into the page's form. */
  fill: (row: T | null) => void;
  /** The row in one line, for the "Now: …" sentence after a conflict. */
  describe: (row: T) => string;
  /** The server's newest copy of a row: after a save, a refused delete or a conflict. */
  fresh?: (row: T) => void;
  /** A row was created (the page usually reloads its list). */
  created?: (row: T) => void | Promise<void>;
  removed?: (row: T) => void;
}

/**
 * The staff API's edit convention in one place: POST to create; PATCH and DELETE with If-Match on the
 * version the form was filled from; a 409 VERSION_CONFLICT answered by fetching the current row, showing
 * it, and offering to refill the form from it (never silently overwriting someone else's change).
 */
export function useVersionedEditor<T extends Versioned>(opts: EditorOptions<T>) {
  const { t, te } = useI18n();
  const save = useStaffCall();
  const removal = useStaffCall();
  // Annotated: inside a generic function shallowRef's overloads infer `any` for T.
  const editing: ShallowRef<T | null> = shallowRef(null);
  const current: ShallowRef<T | null> = shallowRef(null);
  const status = ref('');
  const focusToken = ref(0);

  function start(row: T | null): void {
    editing.value = row;
    current.value = null;
    save.error.value = '';
    opts.fill(row);
  }

  function edit(row: T): void {
    start(row);
    status.value = '';
    focusToken.value++;
  }

  /** After a 409: the row as it is now, shown in the list too. */
  async function refetch(id: number): Promise<T | null> {
    const row = await api<T>(`${opts.path()}/${id}`).catch(() => null);
    if (row) opts.fresh?.(row);
    return row;
  }

  /** Creates (nothing being edited) or patches the edited row; `createExtra` goes only into a create. */
  async function submit(body: object, createExtra: object = {}): Promise<T | undefined> {
    status.value = '';
    const target = editing.value;
    const saved = await save.run(() =>
      target
        ? api<T>(`${opts.path()}/${target.id}`, { method: 'PATCH', body, headers: ifMatch(target.version) })
        : api<T>(opts.path(), { method: 'POST', body: { ...createExtra, ...body } }),
    );
    if (saved) {
      start(null);
      status.value = t(target ? 'staff.saved' : 'staff.created');
      if (target) opts.fresh?.(saved);
      else await opts.created?.(saved);
    } else if (save.conflict.value && target) {
      current.value = await refetch(target.id);
    }
    return saved;
  }

  /** Deletes a row at the version the list shows, after the person confirms `question`. */
  async function remove(row: T, question: string): Promise<boolean> {
    status.value = '';
    removal.error.value = '';
    if (!window.confirm(question)) return false;
    const done = await removal.run(async () => {
      await api<void>(`${opts.path()}/${row.id}`, { method: 'DELETE', headers: ifMatch(row.version) });
      return true;
    });
    if (!done) {
      const err = removal.failure.value;
      // IN_USE names what still refers to the row: say that, so the person knows what to change first.
      const table = isApiError(err) && err.code === 'IN_USE' ? referencedBy(err.details) : undefined;
      if (table && te(`staff.catalog.usedBy.${table}`))
        removal.error.value = t('staff.catalog.inUse', { what: t(`staff.catalog.usedBy.${table}`) });
      if (removal.conflict.value) {
        removal.error.value = t('staff.staleDelete');
        await refetch(row.id);
      }
      return false;
    }
    if (editing.value?.id === row.id) start(null);
    opts.removed?.(row);
    status.value = t('staff.deleted');
    return true;
  }

  const shell: EditorShell = {
    busy: save.busy,
    error: save.error,
    status,
    editing: computed(() => editing.value !== null),
    now: computed(() => (current.value ? opts.describe(current.value) : null)),
    focusToken,
    cancel: () => start(null),
    reload: () => {
      if (current.value) start(current.value);
    },
  };

  return { editing, shell, edit, start, submit, remove, removeError: removal.error };
}
