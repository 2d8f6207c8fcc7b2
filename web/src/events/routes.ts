import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/events',
    name: 'events',
    component: () => import('./EventsPage.vue'),
    meta: { title: 'events.title' },
  },
  {
    path: '/events/:eventId(\\d+)',
    name: 'event',
    component: () => import('./EventPage.vue'),
    meta: { title: 'events.pageTitle' },
  },
] satisfies RouteRecordRaw[];
