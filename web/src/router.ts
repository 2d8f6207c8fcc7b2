import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { loadSession } from './auth/session-storage';

/**
 * Each feature declares its pages in a `routes.ts` beside them (default export: RouteRecordRaw[]); they are
 * gathered here. A route with `meta.auth` sends a signed-out visitor to sign-in and back.
 */
declare module 'vue-router' {
  interface RouteMeta {
    auth?: boolean;
    /** The page's title key, for document.title. */
    title?: string;
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./*/routes.ts', { eager: true });
const featureRoutes = Object.values(modules).flatMap((m) => m.default);

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    ...featureRoutes,
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./ui/NotFoundPage.vue') },
  ],
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach((to) => {
  if (to.meta.auth && !loadSession()) return { name: 'login', query: { next: to.fullPath } };
  return true;
});
