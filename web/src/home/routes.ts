import type { RouteRecordRaw } from 'vue-router';
import HomePage from './HomePage.vue';

export default [
  { path: '/', name: 'home', component: HomePage, meta: { title: 'home.title' } },
  {
    path: '/admitted/:roomId(\\d+)',
    name: 'admitted',
    component: () => import('../admission/AdmittedPage.vue'),
    meta: { auth: true, title: 'admission.title' },
  },
] satisfies RouteRecordRaw[];
