import type { HeaderContribution } from '../ui/header-slots';

export default {
  links: [{ key: 'staff', label: 'nav.staff', to: '/staff', order: 90, staffOnly: true }],
} satisfies HeaderContribution;
