import type { HeaderContribution } from '../ui/header-slots';

/** Needs no term: /cart opens the newest term's page. */
export default {
  links: [{ key: 'cart', label: 'nav.cart', to: '/cart', order: 20 }],
} satisfies HeaderContribution;
