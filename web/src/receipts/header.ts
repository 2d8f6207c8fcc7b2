import type { HeaderContribution } from '../ui/header-slots';

export default {
  links: [{ key: 'receipts', label: 'receipt.navLink', to: '/receipts', order: 80 }],
} satisfies HeaderContribution;
