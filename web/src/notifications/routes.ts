import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/me/notifications',
    name: 'notifications',
    component: () => import('./NotificationsPage.vue'),
    meta: { auth: true, title: 'notify.title' },
  },
] satisfies RouteRecordRaw[];
