import { randomBytes } from 'node:crypto';
import { constants, existsSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { usageError } from '../errors.js';
import { registerCleanup } from '../util/cleanup-on-signal.js';
import { acquireRunLock, type RunLock } from './run-lock.js';

/**
 * The output folder of a run, made atomic: everything is written into a sibling staging folder
 * (`<out>.partial-<random>`) that is renamed to `<out>` only when the run succeeded. While it is open,
 * `<out>.lock` keeps other runs out, and a signal (Ctrl-C, SIGTERM) removes the staging folder and the lock.
 */
export interface RunDir {
  /** The final folder. */
  readonly out: string;
  /** Where the run writes. */
  readonly staging: string;
  /** Move staging into place (replacing an old `<out>` only now, when `overwrite`), then release the lock. */
  commit(): Promise<void>;
  /** Remove the staging folder and release the lock (after a failure). */
  abort(): Promise<void>;
}

/**
 * Check `out`, lock it and create the staging folder. `out` must be new or an empty folder; with
 * `overwrite` it may also hold a complete earlier soilscale run (see `checkReplaceableRun`), and nothing
 * else. The current folder, its ancestors, the home folder and `/` are never an output folder. Every
 * refusal is a usageError (exit 2) naming the folder.
 */
export async function openRunDir(outPath: string, overwrite = false, resume: RunDirResume = {}): Promise<RunDir> {
  const out = checkOutPath(outPath);
  const parent = dirname(out);
  try {
    await mkdir(parent, { recursive: true });
    await access(parent, constants.W_OK);
  } catch (e) {
    throw usageError('the output folder is not writable', { file: outPath, expected: `a writable parent folder ${parent}`, found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  const lock = acquireRunLock(out);
  try {
    await checkExisting(out, outPath, overwrite);
    if (resume.resumable || resume.resume) return openedRunDir(out, await openResumableStaging(out, outPath, resume.resume ?? false), lock, overwrite, RESUMABLE_KEEP);
    await refuseWaitingResume(out, outPath);
    const staging = join(parent, `${basename(out)}.partial-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(staging);
    } catch (e) {
      throw usageError('the output folder is not writable', { file: outPath, expected: `a writable parent folder ${parent}`, found: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
    return openedRunDir(out, staging, lock, overwrite);
  } catch (e) {
    lock.release();
    throw e;
  }
}

function openedRunDir(out: string, staging: string, lock: RunLock, overwrite: boolean, keep?: string): RunDir {
  /** The previous run, moved aside during commit: put back, or removed if the new one is in place already. */
  let old: string | undefined;
  const cleanupNow = (): void => {
    if (keep) {
      keepOnly(staging, keep);
      writeSync(2, `the run was interrupted; its finished tiles are kept in ${staging}: continue it with --resume (or remove that folder)\n`);
    } else rmSync(staging, { recursive: true, force: true });
    if (old && existsSync(old)) {
      if (existsSync(out)) rmSync(old, { recursive: true, force: true });
      else renameSync(old, out);
    }
    lock.release();
  };
  const unregister = registerCleanup(cleanupNow);
  return {
    out,
    staging,
    async commit() {
      try {
        await moveIntoPlace(out, staging, overwrite, (o) => (old = o));
      } finally {
        unregister();
        lock.release();
      }
    },
    async abort() {
      unregister();
      try {
        if (keep) keepOnly(staging, keep);
        else await rm(staging, { recursive: true, force: true });
      } finally {
        lock.release();
      }
    },
  };
}

async function moveIntoPlace(out: string, staging: string, overwrite: boolean, movedAside: (old: string) => void): Promise<void> {
  const now = await stat(out).catch(() => undefined);
  if (!now) return rename(staging, out);
  if (!overwrite) {
    // An empty folder checked at the start; anything written into it since is not ours to replace.
    try {
      await rmdir(out);
    } catch {
      throw usageError('the output folder was written to while the run was running', { file: out, expected: 'an empty or new folder', found: 'new entries' });
    }
    return rename(staging, out);
  }
  // Keep the old folder until the new one is in place.
  const old = join(dirname(out), `${basename(out)}.old-${randomBytes(4).toString('hex')}`);
  movedAside(old);
  await rename(out, old);
  try {
    await rename(staging, out);
  } catch (e) {
    await rename(old, out);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}

/** How a run uses its staging folder when it may be resumed (`soilscale run --resumable` / `--resume`). */
export interface RunDirResume {
  /** Stage in `<out>.resume` and keep its tile store when the run fails or is interrupted. */
  readonly resumable?: boolean;
  /** Continue the interrupted run staged in `<out>.resume` (which must exist). */
  readonly resume?: boolean;
}

/** The staging entry a resumable run keeps when it fails or is interrupted: its tile store. */
const RESUMABLE_KEEP = 'tiles';

/** The staging folder of a resumable run of `out`: fixed, so `--resume` finds it. */
export function resumableStaging(out: string): string {
  return `${resolve(out)}.resume`;
}

/**
 * `<out>.resume`: made new for a resumable run (refused if an interrupted run is there: resume it or
 * remove it), or adopted to resume one (refused if absent). Anything but the tile store (partial
 * outputs of the interrupted run) is removed: the resumed run writes every output again.
 */
async function openResumableStaging(out: string, outPath: string, resume: boolean): Promise<string> {
  const staging = resumableStaging(out);
  const exists = await stat(staging).then((s) => s.isDirectory(), () => false);
  if (resume && !exists) {
    throw usageError('there is no interrupted run to resume', { file: outPath, expected: `the folder ${staging} an interrupted resumable run left`, found: 'none (start the run with --resumable)' });
  }
  if (!resume && exists) await refuseWaitingResume(out, outPath);
  if (exists) keepOnly(staging, RESUMABLE_KEEP);
  else await mkdir(staging);
  return staging;
}

/** Any new run of `out` is refused while an interrupted resumable run of it waits: resume it or remove it, the user's call. */
async function refuseWaitingResume(out: string, outPath: string): Promise<void> {
  const staging = resumableStaging(out);
  if (await stat(staging).then(() => true, () => false)) {
    throw usageError('an interrupted resumable run of this output folder is waiting', { file: outPath, expected: `no ${staging} (resume it with --resume, or remove that folder to start again)`, found: staging });
  }
}

/** Remove every entry of `dir` but `keep` (inside the run's own staging folder only). */
function keepOnly(dir: string, keep: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir)) if (e !== keep) rmSync(join(dir, e), { recursive: true, force: true });
}

/** The absolute output path; refuses '' and folders whose replacement would take the user's files. */
function checkOutPath(outPath: string): string {
  if (typeof outPath !== 'string' || outPath.trim() === '') {
    throw usageError('the output folder is empty', { path: '--out', expected: 'a folder path', found: JSON.stringify(outPath ?? null) });
  }
  const out = resolve(outPath);
  const cwd = process.cwd();
  const reason =
    out === dirname(out) ? 'the filesystem root'
    : out === resolve(homedir()) ? 'the home folder'
    : out === cwd ? 'the current folder'
    : cwd.startsWith(out + sep) ? 'an ancestor of the current folder'
    : undefined;
  if (reason) {
    throw usageError(`refusing to use ${out} as the output folder: it is ${reason}`, { file: outPath, expected: 'a folder of its own for the run (new, empty, or an earlier run with --overwrite)', found: reason });
  }
  return out;
}

async function checkExisting(out: string, outPath: string, overwrite: boolean): Promise<void> {
  const existing = await stat(out).catch(() => undefined);
  if (!existing) return;
  if (!existing.isDirectory()) {
    throw usageError('the output path is a file', { file: outPath, expected: 'a folder that does not exist or is empty', found: 'a file' });
  }
  const entries = await readdir(out);
  if (entries.length === 0) return;
  if (!overwrite) {
    throw usageError('the output folder is not empty', { file: outPath, expected: 'an empty or new folder (or pass --overwrite)', found: `${entries.length} entries` });
  }
  const problem = await checkReplaceableRun(out, entries);
  if (problem) {
    throw usageError(`--overwrite only replaces a complete earlier soilscale run; ${out} is not one`, {
      file: outPath,
      expected: 'a folder holding only the files of an earlier run, listed in its manifest.json',
      found: problem,
    });
  }
}

/**
 * Why `dir` is not a complete earlier run (undefined when it is): a complete run has a `manifest.json`
 * with `format: "soilscale-run-manifest"` (written last, inside the staging folder) whose `files` account
 * for every entry of the folder. A folder with anything else in it is the user's, not the run's.
 */
export async function checkReplaceableRun(dir: string, entries?: readonly string[]): Promise<string | undefined> {
  let manifest: { format?: unknown; files?: unknown };
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no manifest.json' : `manifest.json is not valid JSON`;
  }
  if (manifest?.format !== 'soilscale-run-manifest') return `manifest.json has format ${JSON.stringify(manifest?.format ?? null)}, not "soilscale-run-manifest"`;
  if (!Array.isArray(manifest.files) || !manifest.files.every((f) => typeof f === 'string')) return 'manifest.json lists no "files"';
  const owned = new Set((manifest.files as string[]).map((f) => f.split(/[\\/]/)[0]));
  const foreign = (entries ?? (await readdir(dir))).filter((e) => !owned.has(e));
  if (foreign.length) return `${foreign.length} entr${foreign.length === 1 ? 'y' : 'ies'} not written by that run: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}`;
  return undefined;
}
