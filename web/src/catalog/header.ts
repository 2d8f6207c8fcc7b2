import type { HeaderContribution } from '../ui/header-slots';

/** Needs no term: /catalog opens the newest term's page. */
export default {
  links: [{ key: 'catalog', label: 'nav.catalog', to: '/catalog', order: 10 }],
} satisfies HeaderContribution;
