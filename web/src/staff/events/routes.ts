import type { RouteRecordRaw } from 'vue-router';

const staff = { auth: true, staff: true } as const;

export default [
  {
    path: '/staff/events',
    name: 'staff-events',
    component: () => import('./EventsPage.vue'),
    meta: { ...staff, title: 'staffEvents.title' },
  },
  {
    path: '/staff/events/:eventId(\\d+)/seats',
    name: 'staff-event-seats',
    component: () => import('./SeatMapPage.vue'),
    props: (route) => ({ eventId: Number(route.params.eventId) }),
    meta: { ...staff, title: 'staffEvents.seatMap' },
  },
] satisfies RouteRecordRaw[];
