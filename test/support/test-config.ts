import { loadConfig, type Config } from '../../core/config.js';

/** The run's configuration (its own database and Redis prefix, set by the global setup). */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}
