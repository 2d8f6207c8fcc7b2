import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/login',
    name: 'login',
    component: () => import('./LoginPage.vue'),
    meta: { title: 'auth.title' },
  },
] satisfies RouteRecordRaw[];
