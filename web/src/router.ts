import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { loadSession } from './auth/session-storage';
import { loadStaffMessages } from './i18n/i18n';

/**
 * Each feature declares its pages in a `routes.ts` beside them (default export: RouteRecordRaw[]); they are
 * gathered here. A route with `meta.auth` sends a signed-out visitor to sign-in and back; one with `meta.staff`
 * also sends a signed-in student to the "staff only" page.
 */
declare module 'vue-router' {
  interface RouteMeta {
    auth?: boolean;
    /** Staff only: a signed-in student is shown the "staff only" page instead. Implies auth. */
    staff?: boolean;
    /** The page's title key, for document.title. */
    title?: string;
    /** Shows the staff console's words (loaded with the first such page) without being staff only. */
    staffWords?: boolean;
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

router.beforeEach(async (to) => {
  const session = loadSession();
  if ((to.meta.auth || to.meta.staff) && !session) return { name: 'login', query: { next: to.fullPath } };
  // The server refuses a student every staff call anyway (403); this only spares them a page of errors.
  if (to.meta.staff && session?.user.role !== 'staff') return { name: 'staff-only' };
  if (to.meta.staff || to.meta.staffWords) await loadStaffMessages();
  return true;
});
