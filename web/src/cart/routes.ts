import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/terms/:termId(\\d+)/cart',
    name: 'cart',
    component: () => import('./CartPage.vue'),
    props: (route) => ({ termId: Number(route.params.termId) }),
    meta: { auth: true, title: 'cart.title' },
  },
] satisfies RouteRecordRaw[];
