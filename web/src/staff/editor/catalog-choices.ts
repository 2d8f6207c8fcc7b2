import { computed, shallowRef } from 'vue';
import { listAll, type Major, type Professor } from '../staff-api';
import { useStaffCall } from '../use-staff-call';

/**
 * The majors and professors a catalog form chooses from and a table names (rows carry only ids).
 * Read whole once per page: a university has hundreds of them, not tens of thousands.
 */
export function useCatalogChoices(want: { professors: boolean }) {
  const call = useStaffCall();
  const majors = shallowRef<Major[]>([]);
  const professors = shallowRef<Professor[]>([]);
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

  async function load(): Promise<void> {
    await call.run(async () => {
      const [m, p] = await Promise.all([
        listAll<Major>('/api/staff/majors'),
        want.professors ? listAll<Professor>('/api/staff/professors') : Promise.resolve([]),
      ]);
      majors.value = m.sort(byName);
      professors.value = p.sort(byName);
    });
  }

  const majorOptions = computed(() => majors.value.map((m) => ({ id: m.id, text: `${m.code} ${m.name}` })));
  const professorOptions = computed(() => professors.value.map((p) => ({ id: p.id, text: p.name })));
  const majorNames = computed(() => new Map(majorOptions.value.map((o) => [o.id, o.text])));
  const professorNames = computed(() => new Map(professorOptions.value.map((o) => [o.id, o.text])));
  return {
    majorOptions,
    professorOptions,
    error: call.error,
    load,
    majorName: (id: number) => majorNames.value.get(id) ?? `#${id}`,
    professorName: (id: number) => professorNames.value.get(id) ?? `#${id}`,
  };
}
