import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A path inside the `shared/` folder beside the repository (walk up from this file, then the cwd):
 * method test vectors and reference data live there and are never copied into the repository.
 */
export function sharedPath(...parts: string[]): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, '..', 'shared');
      if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return join(candidate, ...parts);
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error('cannot find the shared/ folder beside the repository');
}

/** A path inside `shared/data/`. */
export function sharedDataPath(...parts: string[]): string {
  return sharedPath('data', ...parts);
}
