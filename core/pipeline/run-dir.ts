import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { usageError } from '../errors.js';

/**
 * The output folder of a run, made atomic: everything is written into a sibling staging folder
 * (`<out>.partial-<random>`) that is renamed to `<out>` only when the run succeeded.
 */
export interface RunDir {
  /** The final folder. */
  readonly out: string;
  /** Where the run writes. */
  readonly staging: string;
  /** Move staging into place (replacing an old `<out>` only now, when `overwrite`). */
  commit(): Promise<void>;
  /** Remove the staging folder (after a failure). */
  abort(): Promise<void>;
}

/**
 * Check `out` and create the staging folder. `out` must not exist or be empty, unless `overwrite`;
 * its parent must be writable. Both problems are usageErrors (exit 2).
 */
export async function openRunDir(outPath: string, overwrite = false): Promise<RunDir> {
  const out = resolve(outPath);
  const parent = dirname(out);
  const existing = await stat(out).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw usageError('the output path is a file', { file: outPath, expected: 'a folder that does not exist or is empty', found: 'a file' });
  }
  if (existing && !overwrite && (await readdir(out)).length > 0) {
    throw usageError('the output folder is not empty', { file: outPath, expected: 'an empty or new folder (or pass --overwrite)', found: `${(await readdir(out)).length} entries` });
  }
  try {
    await mkdir(parent, { recursive: true });
    await access(parent, constants.W_OK);
  } catch (e) {
    throw usageError('the output folder is not writable', { file: outPath, expected: `a writable parent folder ${parent}`, found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  const staging = join(parent, `${basename(out)}.partial-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging);
  } catch (e) {
    throw usageError('the output folder is not writable', { file: outPath, expected: `a writable parent folder ${parent}`, found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  return {
    out,
    staging,
    async commit() {
      const now = await stat(out).catch(() => undefined);
      if (!now) {
        await rename(staging, out);
        return;
      }
      // Keep the old folder until the new one is in place.
      const old = join(parent, `${basename(out)}.old-${randomBytes(4).toString('hex')}`);
      await rename(out, old);
      try {
        await rename(staging, out);
      } catch (e) {
        await rename(old, out);
        throw e;
      }
      await rm(old, { recursive: true, force: true });
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}
