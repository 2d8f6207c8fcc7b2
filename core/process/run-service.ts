import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { loadEnvFile } from '../env-file.js';
import { startDraining } from '../http/health.js';
import { listenHttp } from '../http/listen.js';
import { createLogger, type Logger } from '../logger.js';

export interface RunningService {
  /** The HTTP server to listen on (health for the worker, the whole app for the others). */
  server: Server;
  port: number;
  /** Stops taking work, finishes what is active, closes connections. Called once. */
  close(): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  start(cfg: Config, logger: Logger): RunningService | Promise<RunningService>;
}

/**
 * The main() of every Rushline process: config (exit 1 naming bad variables), logs, listen, and a
 * graceful stop on SIGTERM/SIGINT with a hard deadline. Calling stop twice is safe.
 */
export async function runService(spec: ServiceSpec): Promise<void> {
  let cfg: Config;
  try {
    loadEnvFile();
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${spec.name}: refusing to start.\n${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(cfg, spec.name);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

  let service: RunningService;
  try {
    service = await spec.start(cfg, logger);
    await listenHttp(service.server, {
      port: service.port,
      host: cfg.http.host,
      backlog: cfg.http.listenBacklog,
      acceptors: cfg.http.acceptors,
    });
  } catch (err) {
    logger.fatal({ err }, 'failed to start');
    process.exit(1);
  }
  const address = service.server.address() as AddressInfo;
  logger.info({ port: address.port, host: cfg.http.host }, `${spec.name} listening`);

  let stopping: Promise<void> | undefined;
  const stop = (signal: string) =>
    (stopping ??= (async () => {
      logger.info({ signal, drainMs: cfg.shutdownDrainMs }, 'stopping');
      startDraining();
      setTimeout(() => {
        logger.error('shutdown deadline passed; exiting');
        process.exit(1);
      }, cfg.shutdownDrainMs + cfg.shutdownTimeoutMs).unref();
      try {
        // /readyz says 503 while the server still serves, so balancers move away before it closes.
        if (cfg.shutdownDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, cfg.shutdownDrainMs));
        await service.close();
        logger.info('stopped');
        process.exit(0);
      } catch (err) {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      }
    })());
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
