import { shallowRef, type Ref } from 'vue';
import { api } from '../../api/http';
import { query, type Page } from '../staff-api';
import { useStaffCall } from '../use-staff-call';

/** What a staff table needs of its listing; no `T` in a parameter, so any list fits one table shell. */
export interface PagedList<T> {
  items: Ref<T[] | null>;
  next: Ref<number | null>;
  busy: Ref<boolean>;
  error: Ref<string>;
  load: (more?: boolean) => Promise<void>;
}

type Params = Record<string, string | number | boolean | null | undefined>;

/**
 * One page of a keyset-paged staff listing, newest first (`after` = the last id seen), with the page's
 * filters: what staff just made or imported is on the first page however long the list.
 */
export const pageOf =
  <T>(path: string, params: () => Params, limit = 50) =>
  (after: number | undefined) =>
    api<Page<T>>(`${path}${query({ ...params(), limit, after, order: 'newest' })}`);

/**
 * A staff listing shown a page at a time: the first page on `load()`, the next one appended on
 * `load(true)`. Only the newest request's answer is kept, so a slow answer to an older filter never
 * overwrites a newer one.
 */
export function usePagedList<T extends { id: number }>(
  fetchPage: (after: number | undefined) => Promise<Page<T>>,
) {
  const call = useStaffCall();
  const items = shallowRef<T[] | null>(null);
  const next = shallowRef<number | null>(null);
  let asked = 0;

  async function load(more = false): Promise<void> {
    const mine = ++asked;
    const after = more ? (next.value ?? undefined) : undefined;
    const page = await call.run(() => fetchPage(after));
    if (mine !== asked) return;
    // A refused filter leaves its error, not the rows of the filter before it.
    if (!page) {
      if (!more) items.value = null;
      return;
    }
    items.value = more ? [...(items.value ?? []), ...page.items] : page.items;
    next.value = page.next;
  }

  /** Shows the server's newest copy of a row in place (after a save, or a conflict's reload). */
  function replace(row: T): void {
    if (items.value) items.value = items.value.map((r) => (r.id === row.id ? row : r));
  }

  /**
   * Shows a row the person just created first, whichever page the listing would put it on (in a long
   * list it may sort far past the first page, and they need to see what they made).
   */
  function added(row: T): void {
    items.value = [row, ...(items.value ?? []).filter((r) => r.id !== row.id)];
  }

  function drop(id: number): void {
    if (items.value) items.value = items.value.filter((r) => r.id !== id);
  }

  return { items, next, busy: call.busy, error: call.error, load, replace, added, drop };
}

/** One column of a staff table: its header, and the class its cells carry (tests and styles find them). */
export interface Column {
  key: string;
  label: string;
  class?: string;
}
