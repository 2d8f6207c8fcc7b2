import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/reservations',
    name: 'reservations',
    component: () => import('./MyReservationsPage.vue'),
    meta: { auth: true, title: 'reservations.title' },
  },
  {
    path: '/reservations/:id(\\d+)',
    name: 'reservation',
    component: () => import('./ReservationPage.vue'),
    meta: { auth: true, title: 'reservations.pageTitle' },
  },
] satisfies RouteRecordRaw[];
