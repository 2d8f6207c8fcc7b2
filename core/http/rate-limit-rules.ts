/**
 * What each rate limit counts and its default budget (ADR 014). Per user on the signed-in routes of a
 * rush; per client address only on the routes that have no user (a campus NAT puts thousands of
 * students behind one address, so those budgets are large and guard MySQL, not single people).
 */
export interface RateLimitRule {
  readonly points: number;
  readonly durationS: number;
}

export const PER_USER_LIMITS = ['join', 'status', 'watch', 'submit', 'pay', 'cancel'] as const;
export const PER_ADDRESS_LIMITS = ['refresh', 'logout', 'rooms'] as const;
export type RateLimitKind = (typeof PER_USER_LIMITS)[number] | (typeof PER_ADDRESS_LIMITS)[number];

// A student polls status every few seconds and joins a handful of rooms; a person clicks pay or cancel a
// few times. Each default is several times what a person does, so only scripts reach it.
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitKind, RateLimitRule>> = {
  join: { points: 30, durationS: 60 },
  status: { points: 120, durationS: 60 },
  watch: { points: 60, durationS: 60 },
  submit: { points: 60, durationS: 60 },
  pay: { points: 30, durationS: 60 },
  cancel: { points: 30, durationS: 60 },
  refresh: { points: 3_000, durationS: 60 },
  logout: { points: 600, durationS: 60 },
  rooms: { points: 3_000, durationS: 60 },
};
