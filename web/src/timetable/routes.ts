import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/terms/:termId(\\d+)/timetable',
    name: 'timetable',
    component: () => import('./TimetablePage.vue'),
    props: (route) => ({ termId: Number(route.params.termId) }),
    meta: { auth: true, title: 'timetable.title' },
  },
] satisfies RouteRecordRaw[];
