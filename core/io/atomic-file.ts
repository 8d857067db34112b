import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { registerCleanup } from '../util/cleanup-on-signal.js';

/**
 * A temporary sibling path for `path`: same folder (so the final rename is atomic on one
 * filesystem), hidden, and recognisably unfinished (`.<name>.partial-<random>`).
 */
export function partialPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${randomBytes(4).toString('hex')}`);
}

/** Write a whole file atomically: readers see the old file or the complete new one, never a part. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = partialPath(path);
  // An interrupted write must not leave its partial file (the sync variant cannot be interrupted).
  const unregister = registerCleanup(() => rmSync(tmp, { force: true }));
  try {
    // The folder is made only when missing: a mkdir per write was most of a tile block's write time.
    await writeFile(tmp, data).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, data);
    });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    unregister();
  }
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = partialPath(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Produce a file through `produce(tmpPath)` (e.g. a streaming GeoTIFF writer) and move it into place
 * only when `produce` succeeds; on failure the partial file is removed.
 */
export async function produceFileAtomic<T>(path: string, produce: (tmpPath: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = partialPath(path);
  try {
    const result = await produce(tmp);
    await rename(tmp, path);
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
