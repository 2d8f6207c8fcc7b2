import { existsSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

/** Loads `.env` from the project root when one exists; real environment variables win over it. */
export function loadEnvFile(root = process.cwd()): void {
  const file = path.join(root, '.env');
  if (existsSync(file)) dotenv.config({ path: file, quiet: true, override: false });
}
