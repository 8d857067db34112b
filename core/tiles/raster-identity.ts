import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError, usageError } from '../errors.js';
import { isRemote, remoteHead } from '../io/http-source.js';
import type { RasterAddress } from '../io/raster-source.js';
import { sha256Hex, storePaths } from './store.js';
import type { TileFileIdentity, TileStage } from './types.js';

/**
 * What identifies a raster input's content without reading it: a local file's size, modification and
 * status-change times (a rewrite changes them; a copy that keeps the modification time, `cp -p`, still
 * gets a new status-change time, which no user can set); a remote file's size and the sha256 of its
 * first 64 KiB (the GeoTIFF header and tile index, fetched anyway to open it). Not a hash of the
 * whole file: these inputs are the ones too large to load (a 20,000 × 20,000 px GeoTIFF), and hashing
 * would read all of it at every stage and again at every `--resume`.
 */
export async function fileIdentity(path: string): Promise<TileFileIdentity> {
  if (isRemote(path)) {
    const { fileSize, head } = await remoteHead(path);
    return { size: fileSize, headSha256: sha256Hex(head) };
  }
  const s = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw inputError('cannot read a raster tile input', { file: path, expected: 'a readable file', found: e.code ?? e.message });
  });
  return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs };
}

/** How `now` differs from `before` (`size 1200 → 1300 bytes; modified … → …`), or undefined when it does not. */
export function identityChange(before: TileFileIdentity, now: TileFileIdentity): string | undefined {
  const time = (ms: number | undefined) => (ms === undefined ? 'unknown' : new Date(ms).toISOString());
  const changes: string[] = [];
  if (before.size !== now.size) changes.push(`size ${before.size} → ${now.size} bytes`);
  if (before.mtimeMs !== now.mtimeMs) changes.push(`modified ${time(before.mtimeMs)} → ${time(now.mtimeMs)}`);
  if (before.ctimeMs !== now.ctimeMs) changes.push(`status changed ${time(before.ctimeMs)} → ${time(now.ctimeMs)} (replaced, copied over or its permissions changed)`);
  if (before.headSha256 !== now.headSha256) changes.push(`first 64 KiB sha256 ${before.headSha256 ?? 'none'} → ${now.headSha256 ?? 'none'}`);
  return changes.length ? changes.join('; ') : undefined;
}

/** A raster stage input's identities, one per layer (what the stage file records). */
export function layerIdentities(layers: readonly RasterAddress[]): Promise<TileFileIdentity[]> {
  return Promise.all(layers.map((l) => fileIdentity(l.path)));
}

/**
 * A tile reading a raster input checks its file is still the one the stage was written for: a file
 * replaced while the run goes on would otherwise mix tiles of two contents silently.
 */
export async function checkLayerUnchanged(stage: string, address: RasterAddress, recorded: TileFileIdentity | undefined): Promise<void> {
  if (!recorded) return; // a stage file written before identities were recorded: identified by path, as it was
  const change = identityChange(recorded, await fileIdentity(address.path));
  if (change) throw inputError(`a raster input of tile stage '${stage}' changed since the stage was written`, { file: address.path, expected: 'the file the run started with', found: change });
}

/**
 * Before a resumed run reuses anything: every raster input of every stage the interrupted run wrote
 * into `store` must still be the file it read, else a usage error naming the file and what changed.
 */
export async function checkInterruptedRasterInputs(store: string, out: string): Promise<void> {
  for (const file of await stageFiles(store)) {
    // An unreadable stage file is rewritten by the resumed run, and its tiles' records then name another stage hash.
    const stage = await readFile(file, 'utf8').then((t) => JSON.parse(t) as TileStage, () => undefined);
    if (!stage) continue;
    for (const source of Object.values(stage.inputs ?? {})) {
      if (source.kind !== 'raster' || !source.files) continue;
      for (const [i, address] of source.layers.entries()) {
        const now = await fileIdentity(address.path).catch((e: Error) => e);
        const change = now instanceof Error ? `unreadable (${now.message})` : identityChange(source.files[i], now);
        if (change) {
          throw usageError(`a raster input of tile stage '${stage.id}' changed since the interrupted run`, { file: address.path, path: '--resume', expected: 'the file the interrupted run read (its finished tiles came from it)', found: `${change}: the finished tiles came from the old file (a file copied back has a new status-change time too, so it cannot be restored for --resume); remove ${out}.resume and run again without --resume` });
        }
      }
    }
  }
}

/** `<store>/<scope>/<name>/stage.json` of every stage in the store. */
async function stageFiles(store: string): Promise<string[]> {
  const files: string[] = [];
  const dirs = async (dir: string) => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name);
  for (const scope of await dirs(store)) {
    for (const name of await dirs(join(store, scope))) {
      const file = join(store, storePaths.stage(`${scope}/${name}`));
      if (await stat(file).then((s) => s.isFile(), () => false)) files.push(file);
    }
  }
  return files;
}
