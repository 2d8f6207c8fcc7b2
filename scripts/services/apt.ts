import { ServiceError } from './service-error.js';
import { isRoot, runOrThrow, which } from './system.js';

/**
 * Installs Debian packages for a missing server. Only ever called when the binary is absent, so a
 * machine that already has MariaDB or Redis (from any source) is never touched.
 */

let updated: Promise<unknown> | undefined;

export async function aptInstall(packages: readonly string[], log: (line: string) => void): Promise<void> {
  const aptGet = await which('apt-get');
  if (!aptGet) {
    throw new ServiceError(
      `${packages.join(' ')} missing and apt-get is not available: install them with your package manager`,
    );
  }
  if (!isRoot()) {
    throw new ServiceError(
      `${packages.join(' ')} missing; installing needs root: sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  // noninteractive: debconf must not stop CI with a prompt.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // A fresh image has empty package lists; update once per run, however many packages we add.
  updated ??= (log('… apt-get update'), runOrThrow(aptGet, ['update'], { env, inherit: true }));
  await updated;
  log(`… apt-get install -y ${packages.join(' ')}`);
  await runOrThrow(aptGet, ['install', '-y', '--no-install-recommends', ...packages], { env, inherit: true });
}
