import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRoot } from './system.js';

/** Where servers started by Rushline keep data, logs and pid files. */
export interface ServicePaths {
  readonly data: string;
  readonly log: string;
  readonly run: string;
}

export function servicePaths(): ServicePaths {
  if (isRoot()) return { data: '/var/lib/rushline', log: '/var/log/rushline', run: '/run/rushline' };
  // Without root, stay inside the checkout: var/ is git-ignored.
  const varDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'var');
  return { data: path.join(varDir, 'lib'), log: path.join(varDir, 'log'), run: path.join(varDir, 'run') };
}
