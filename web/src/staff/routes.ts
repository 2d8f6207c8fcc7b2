import type { RouteRecordRaw } from 'vue-router';

/** Sub-features of the console (e.g. rooms/) declare their own pages beside them; gathered here too. */
const nested = import.meta.glob<{ default: RouteRecordRaw[] }>('./*/routes.ts', { eager: true });

const staff = { auth: true, staff: true } as const;
const termId = (route: { params: Record<string, unknown> }) => ({ termId: Number(route.params.termId) });

export default [
  {
    path: '/staff',
    name: 'staff',
    component: () => import('./StaffHome.vue'),
    meta: { ...staff, title: 'staff.title' },
  },
  {
    path: '/staff-only',
    name: 'staff-only',
    component: () => import('./StaffOnlyPage.vue'),
    // Its words live with the console's, which load only for pages that ask for them.
    meta: { title: 'staff.onlyTitle', staffWords: true },
  },
  {
    path: '/staff/terms',
    name: 'staff-terms',
    component: () => import('./TermsPage.vue'),
    meta: { ...staff, title: 'staff.terms.title' },
  },
  {
    path: '/staff/terms/:termId(\\d+)/sections',
    name: 'staff-sections',
    component: () => import('./SectionsPage.vue'),
    props: termId,
    meta: { ...staff, title: 'staff.links.terms' },
  },
  {
    path: '/staff/majors',
    name: 'staff-majors',
    component: () => import('./MajorsPage.vue'),
    meta: { ...staff, title: 'staff.catalog.majors' },
  },
  {
    path: '/staff/professors',
    name: 'staff-professors',
    component: () => import('./ProfessorsPage.vue'),
    meta: { ...staff, title: 'staff.catalog.professors' },
  },
  {
    path: '/staff/courses',
    name: 'staff-courses',
    component: () => import('./CoursesPage.vue'),
    meta: { ...staff, title: 'staff.catalog.courses' },
  },
  {
    path: '/staff/windows',
    name: 'staff-windows',
    component: () => import('./WindowsPage.vue'),
    meta: { ...staff, title: 'staff.windows.title' },
  },
  {
    path: '/staff/import',
    name: 'staff-import',
    component: () => import('./ImportPage.vue'),
    meta: { ...staff, title: 'staff.import.title' },
  },
  {
    path: '/staff/exports',
    name: 'staff-exports',
    component: () => import('./ExportsPage.vue'),
    meta: { ...staff, title: 'staff.exports.title' },
  },
  {
    path: '/staff/users',
    name: 'staff-users',
    component: () => import('./UsersPage.vue'),
    meta: { ...staff, title: 'staff.users.title' },
  },
  {
    path: '/staff/audit',
    name: 'staff-audit',
    component: () => import('./AuditPage.vue'),
    meta: { ...staff, title: 'staff.audit.title' },
  },
  {
    path: '/staff/lookup',
    name: 'staff-lookup',
    component: () => import('./LookupPage.vue'),
    meta: { ...staff, title: 'staff.lookup.title' },
  },
  ...Object.values(nested).flatMap((m) => m.default),
] satisfies RouteRecordRaw[];
