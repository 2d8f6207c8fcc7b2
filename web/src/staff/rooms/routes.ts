import type { RouteRecordRaw } from 'vue-router';

const staff = { auth: true, staff: true } as const;

export default [
  {
    path: '/staff/rooms',
    name: 'staff-rooms',
    component: () => import('./RoomsPage.vue'),
    meta: { ...staff, title: 'staffRooms.title' },
  },
  {
    path: '/staff/rooms/:roomId(\\d+)',
    name: 'staff-room',
    component: () => import('./RoomConsolePage.vue'),
    props: (route) => ({ roomId: Number(route.params.roomId) }),
    meta: { ...staff, title: 'staffRooms.consoleTitle' },
  },
] satisfies RouteRecordRaw[];
