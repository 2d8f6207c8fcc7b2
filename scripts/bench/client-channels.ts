/** The Redis keys and pub/sub channels a scenario and its client processes talk over (under the run's prefix). */
export const clientChannels = (prefix: string, scenario: string) => ({
  plan: (p: number) => `${prefix}:bench:${scenario}:plan:${p}`,
  progress: `${prefix}:bench:${scenario}:progress`,
  report: `${prefix}:bench:${scenario}:report`,
  /** `report` (answer with everything), and what the scenario adds (seats: `go <epoch ms>`). */
  command: `${prefix}:bench:${scenario}:command`,
});

/** The environment variable naming a client process's index (`RUSH_CLIENT`, `SEATS_CLIENT`). */
export const clientIndexVar = (scenario: string) => `${scenario.toUpperCase()}_CLIENT`;
