import type { RouteRecordRaw } from 'vue-router';

const NewestTerm = () => import('./NewestTermPage.vue');

export default [
  {
    path: '/terms/:termId(\\d+)/catalog',
    name: 'catalog',
    component: () => import('./CatalogPage.vue'),
    props: (route) => ({ termId: Number(route.params.termId) }),
    meta: { title: 'catalog.title' },
  },
  {
    path: '/catalog',
    name: 'catalog-newest',
    component: NewestTerm,
    props: { page: 'catalog' },
    meta: { title: 'catalog.title' },
  },
  {
    path: '/cart',
    name: 'cart-newest',
    component: NewestTerm,
    props: { page: 'cart' },
    meta: { auth: true, title: 'cart.title' },
  },
  {
    path: '/timetable',
    name: 'timetable-newest',
    component: NewestTerm,
    props: { page: 'timetable' },
    meta: { auth: true, title: 'timetable.title' },
  },
] satisfies RouteRecordRaw[];
