import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { PaymentProvider } from './payment-provider.js';
import { SimulatedPaymentProvider } from './simulated-payment-provider.js';

/** The provider named by PAYMENT_PROVIDER; a real one plugs in here behind the same interface. */
export function createPaymentProvider(
  cfg: Pick<Config, 'payments' | 'redis'>,
  redis: Redis,
): PaymentProvider {
  switch (cfg.payments.provider) {
    case 'simulated':
      return new SimulatedPaymentProvider(redis, cfg.redis.prefix, {
        failRate: cfg.payments.simFailRate,
        delayMs: cfg.payments.simDelayMs,
      });
  }
}
