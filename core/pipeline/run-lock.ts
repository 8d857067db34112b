import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { usageError } from '../errors.js';

/** What a lock file holds: who writes to the output folder. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/** An exclusive claim on an output path; `release` removes the lock file (idempotent, synchronous). */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/**
 * Claim `<out>.lock` (beside the output folder) with an exclusive create, so two runs started at once into
 * the same `--out` cannot both write it: the second gets a usageError naming the folder and the owner.
 * A lock left by a process that no longer exists on this host (a crash, `kill -9`) is stale and taken over.
 *
 * @example
 * ```ts
 * const lock = acquireRunLock('june');   // creates june.lock beside the folder june
 * try {
 *   // … write june/ …
 * } finally {
 *   lock.release();
 * }
 * ```
 */
export function acquireRunLock(out: string): RunLock {
  const path = `${out}.lock`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(owner) + '\n');
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw usageError('cannot create the output lock', { file: path, expected: 'a writable folder beside the output folder', found: (e as NodeJS.ErrnoException).code ?? String(e) });
      }
      const holder = readOwner(path);
      if (holder ? isAlive(holder) : justCreated(path)) {
        throw usageError(`another soilscale run is writing to ${out}`, {
          file: out,
          expected: 'one run at a time per output folder',
          found: holder ? `lock ${path} held by pid ${holder.pid} on ${holder.host} since ${holder.startedAt}` : `lock ${path} being created`,
        });
      }
      // Stale: its owner is gone, or it stayed empty (the writer died between create and write).
      rmSync(path, { force: true });
    }
  }
  throw usageError(`another soilscale run is writing to ${out}`, { file: out, expected: 'one run at a time per output folder', found: `lock ${path} re-created while taking it over` });
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? (o as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** An unreadable lock younger than a few seconds may be one whose owner is writing it right now. */
function justCreated(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 5000;
  } catch {
    return false;
  }
}

/** Whether the lock's owner still runs. A lock from another host cannot be checked and counts as alive. */
function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
