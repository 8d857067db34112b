import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { PixelWindow } from '../model/grid.js';
import { sha256Hex, storePaths } from './store.js';
import type { TileOutputs, TileRecord, TileStage, TileSummary } from './types.js';

/** Arrays per output in a block: one per stage date, one for a static stage. */
export function arraysPerOutput(stage: Pick<TileStage, 'dates'>): number {
  return Math.max(1, stage.dates.length);
}

/**
 * Write a tile's block — every output (stage order) × every date (stage order), float32 little-endian,
 * `window.width × window.height` each — then its completion record, both atomically: a record always
 * describes a complete block, and a job done twice writes the same bytes. A summary stage's record
 * also holds the tile's summary (as JSON keeps it) and its sha256.
 */
export async function writeTileBlock(store: string, stage: TileStage, tile: number, outputs: TileOutputs, summary?: TileSummary): Promise<TileRecord> {
  const n = stage.windows[tile].width * stage.windows[tile].height;
  const per = arraysPerOutput(stage);
  const all = new Float32Array(stage.outputs.length * per * n);
  stage.outputs.forEach((o, k) => outputs[o.name].forEach((a, d) => all.set(a, (k * per + d) * n)));
  const bytes = new Uint8Array(all.buffer);
  const block = storePaths.block(stage.id, tile);
  await writeFileAtomic(join(store, block), bytes);
  const record: TileRecord = { tile, stageHash: stage.hash, block, sha256: sha256Hex(bytes), bytes: bytes.length, ...(stage.summaries ? summaryFields(summary ?? null) : {}) };
  await writeFileAtomic(join(store, storePaths.done(stage.id, tile)), JSON.stringify(record));
  return record;
}

/** A tile's block read back: `[output][date]` arrays of the tile's window. */
export async function readTileBlock(store: string, stage: TileStage, tile: number): Promise<Float32Array[][]> {
  const window: PixelWindow = stage.windows[tile];
  const n = window.width * window.height;
  const per = arraysPerOutput(stage);
  const file = join(store, storePaths.block(stage.id, tile));
  const buf = await readFile(file);
  if (buf.length !== stage.outputs.length * per * n * 4) {
    throw inputError('a tile block has the wrong size', { file, expected: `${stage.outputs.length} outputs × ${per} dates × ${n} float32`, found: `${buf.length} bytes` });
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  return stage.outputs.map((_, k) => Array.from({ length: per }, (_, d) => all.subarray((k * per + d) * n, (k * per + d + 1) * n)));
}

/** A summary as its record keeps it (through JSON, as every reader gets it) and the sha256 of that JSON. */
function summaryFields(summary: TileSummary): Pick<TileRecord, 'summary' | 'summarySha256'> {
  const json = JSON.stringify(summary);
  return { summary: JSON.parse(json) as TileSummary, summarySha256: sha256Hex(json) };
}
