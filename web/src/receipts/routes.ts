import type { RouteRecordRaw } from 'vue-router';

export default [
  {
    path: '/receipts',
    name: 'receipts',
    component: () => import('./ReceiptsPage.vue'),
    meta: { auth: true, title: 'receipt.listTitle' },
  },
  {
    path: '/receipts/:roomId(\\d+)',
    name: 'receipt',
    component: () => import('./ReceiptPage.vue'),
    meta: { auth: true, title: 'receipt.title' },
  },
] satisfies RouteRecordRaw[];
