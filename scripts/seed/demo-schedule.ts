/**
 * When the demo's rooms open, in minutes after seeding (or after `npm run demo`): soon enough to try at
 * once, late enough to join the pre-queue first and see the draw. Staggered so each can be watched.
 */
export const DEMO_OPENS_IN_MIN = { registration: 5, flight: 8, concert: 12 } as const;

export type DemoRoom = keyof typeof DEMO_OPENS_IN_MIN;

export const DEMO_ROOM_SLUGS = {
  registration: (termCode: string) => `${termCode.toLowerCase()}-registration`,
  flight: 'rl101-seoul-jeju',
  concert: 'aurora-lights-seoul',
} as const;
