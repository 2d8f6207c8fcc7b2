import type { Redis } from '../redis.js';
import type { Config } from '../config.js';
import type { PaymentProvider } from './payment-provider.js';
import { SimulatedPaymentProvider } from './simulated-payment-provider.js';

/** The provider named by PAYMENT_PROVIDER; a real one plugs in here behind the same interface. */
export function createPaymentProvider(
  cfg: Pick<Config, 'env' | 'payments' | 'redis'>,
  redis: Redis,
): PaymentProvider {
  switch (cfg.payments.provider) {
    case 'simulated':
      // loadConfig refuses this already; kept here too so no other path builds a config that takes money
      // from nobody in production (ADR 014).
      if (cfg.env === 'production' && !cfg.payments.allowSimulated) {
        throw new Error('The simulated payment provider is refused in production (ALLOW_SIMULATED_PAYMENTS)');
      }
      return new SimulatedPaymentProvider(redis, cfg.redis.prefix, {
        failRate: cfg.payments.simFailRate,
        delayMs: cfg.payments.simDelayMs,
      });
  }
}
