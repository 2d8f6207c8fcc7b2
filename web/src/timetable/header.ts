import type { HeaderContribution } from '../ui/header-slots';

/** Needs no term: /timetable opens the newest term's page. */
export default {
  links: [{ key: 'timetable', label: 'nav.timetable', to: '/timetable', order: 25 }],
} satisfies HeaderContribution;
