import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inputError, runtimeError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { TileRecord, TileStage } from './types.js';

/**
 * The tile store's layout (all paths relative to the store folder):
 * - `inputs/<sha256>.f32`: spilled input arrays, content-addressed (shared by stages, reused on resume);
 * - `<stage id>/stage.json`, `<stage id>/model.model.json` (+ its `.bin` parts);
 * - `<stage id>/blocks/<tile>.f32`: a tile's outputs; `<stage id>/done/<tile>.json`: its {@link TileRecord}.
 */
export const storePaths = {
  input: (sha: string) => `inputs/${sha}.f32`,
  stage: (stage: string) => `${stage}/stage.json`,
  model: (stage: string) => `${stage}/model.model.json`,
  block: (stage: string, tile: number) => `${stage}/blocks/${tile}.f32`,
  done: (stage: string, tile: number) => `${stage}/done/${tile}.json`,
};

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The hash a stage file carries: sha256 of its JSON without `hash` (keys in the order written). */
export function stageHash(stage: Omit<TileStage, 'hash'>): string {
  const { hash: _omit, ...rest } = stage as TileStage;
  return sha256Hex(JSON.stringify(rest));
}

/** Write `<store>/<id>/stage.json` with its hash filled in; returns the complete stage. */
export async function writeStage(store: string, stage: Omit<TileStage, 'hash'>): Promise<TileStage> {
  const { hash: _omit, ...rest } = stage as TileStage;
  const full: TileStage = { ...rest, hash: stageHash(rest) } as TileStage;
  await writeFileAtomic(join(store, storePaths.stage(stage.id)), JSON.stringify(full));
  return full;
}

/** Read a stage file and check its own hash (a file edited or cut short is refused, naming it). */
export async function readStage(store: string, id: string): Promise<TileStage> {
  const file = join(store, storePaths.stage(id));
  let stage: TileStage;
  try {
    stage = JSON.parse(await readFile(file, 'utf8')) as TileStage;
  } catch (e) {
    throw inputError('cannot read the tile stage file', { file, expected: 'a stage.json the run wrote into its tile store', found: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
  if (stage?.format !== 'soilscale-tile-stage' || stage.formatVersion !== 1) {
    throw inputError('not a soilscale tile stage', { file, path: 'format', expected: '"soilscale-tile-stage" version 1', found: JSON.stringify(stage?.format ?? null) });
  }
  const actual = stageHash(stage);
  if (actual !== stage.hash) throw inputError('the tile stage file does not match its hash (edited or damaged)', { file, path: 'hash', expected: actual, found: String(stage.hash) });
  return stage;
}

/**
 * How much of a block `finishedRecord` checks: `sha256` re-reads and hashes it (a tile kept from an
 * interrupted run: anything may have happened to it since); `size` trusts the hash its worker took of
 * the bytes it wrote (a job that just completed: block and record were written atomically, in that
 * order, moments ago), so a coordinator does not read every block of a queue run a second time.
 */
export type BlockCheck = 'sha256' | 'size';

/**
 * The tile's completion record if it is there and its block still matches it (size, and sha256 unless
 * `check` is `size`) for `stageHash`, and its summary (required when `summaries`) still matches its
 * sha256; undefined otherwise (the tile is to be done, or redone).
 */
export async function finishedRecord(store: string, stage: string, hash: string, tile: number, summaries = false, check: BlockCheck = 'sha256'): Promise<TileRecord | undefined> {
  let record: TileRecord;
  try {
    record = JSON.parse(await readFile(join(store, storePaths.done(stage, tile)), 'utf8')) as TileRecord;
  } catch {
    return undefined;
  }
  if (record?.tile !== tile || record.stageHash !== hash || record.block !== storePaths.block(stage, tile)) return undefined;
  // A record holding a summary is checked whoever asks (an executor waiting for records does not know the stage's kind).
  const hasSummary = 'summary' in record || 'summarySha256' in record;
  if ((summaries || hasSummary) && (!('summary' in record) || sha256Hex(JSON.stringify(record.summary)) !== record.summarySha256)) return undefined;
  const file = join(store, record.block);
  const size = await stat(file).then((s) => s.size, () => -1);
  if (size !== record.bytes) return undefined;
  if (check === 'size') return record;
  return sha256Hex(await readFile(file)) === record.sha256 ? record : undefined;
}

/** sha256 of a model file written with `writeArtifact` and of its binary parts, in the order the JSON lists them. */
export async function modelChecksum(file: string): Promise<string> {
  const json = await readFile(file);
  const parts = (JSON.parse(json.toString('utf8')) as { binary?: Record<string, { file: string }> }).binary ?? {};
  const hash = createHash('sha256').update(json);
  for (const part of Object.values(parts)) hash.update(await readFile(join(dirname(file), part.file)));
  return hash.digest('hex');
}

/** Float32 little-endian bytes of `values` (a view when the platform is little-endian, as every Node target is). */
export function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Spill one array to `inputs/<sha256>.f32` unless the store has it already; returns its relative path. */
export async function spillArray(store: string, values: Float32Array): Promise<string> {
  const bytes = float32Bytes(values);
  const rel = storePaths.input(sha256Hex(bytes));
  const file = join(store, rel);
  const size = await stat(file).then((s) => s.size, () => -1);
  if (size !== bytes.length) await writeFileAtomic(file, bytes);
  return rel;
}

/** A stage/tile for messages: `stage 'predict/predict' tile 12`. */
export function tileLabel(stage: string, tile: number): string {
  return `stage '${stage}' tile ${tile}`;
}

export function tileError(stage: string, tile: number, message: string, details: { expected?: string; found?: string } = {}): Error {
  return runtimeError(`${tileLabel(stage, tile)}: ${message}`, details);
}
