import type { HeaderContribution } from '../ui/header-slots';

/** The buyer's way in: what is on sale, and their own reservations. */
export default {
  links: [
    { key: 'tickets', label: 'events.title', to: '/events', order: 30 },
    { key: 'my-tickets', label: 'reservations.title', to: '/reservations', order: 31 },
  ],
} satisfies HeaderContribution;
