import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { createGeoTiffWriter, type GeoTiffWriteOptions } from '../io/geotiff-write.js';
import { makeSeries, type Series } from '../model/series.js';
import { arraysPerOutput } from './block-file.js';
import { readStage, storePaths } from './store.js';
import type { TileOutputRef } from './tile-series.js';
import type { TileStage } from './types.js';
import { tileRows } from './windows.js';

/**
 * One output × date of every tile of a tile row, as full-width rows (`height × grid.width`): read
 * from the blocks by offset, so memory is one strip whatever the number of dates and outputs.
 */
export async function readStrip(store: string, stage: TileStage, output: number, date: number, row: { y: number; height: number; first: number; count: number }, into?: Float32Array): Promise<Float32Array> {
  const width = stage.grid.width;
  const strip = into && into.length >= row.height * width ? into : new Float32Array(row.height * width);
  const per = arraysPerOutput(stage);
  for (let t = row.first; t < row.first + row.count; t++) {
    const w = stage.windows[t];
    const n = w.width * w.height;
    const part = new Float32Array(n);
    const file = join(store, storePaths.block(stage.id, t));
    const handle = await open(file, 'r');
    try {
      const { bytesRead } = await handle.read(new Uint8Array(part.buffer), 0, n * 4, (output * per + date) * n * 4);
      if (bytesRead !== n * 4) throw inputError('a tile block is shorter than its stage says', { file, expected: `${n * 4} bytes at offset ${(output * per + date) * n * 4}`, found: `${bytesRead}` });
    } finally {
      await handle.close();
    }
    for (let r = 0; r < w.height; r++) strip.set(part.subarray(r * w.width, (r + 1) * w.width), r * width + w.x);
  }
  return strip;
}

/** Every output of a finished stage as in-memory series (normal runs; the product must fit in memory). */
export async function assembleSeries(store: string, stage: TileStage): Promise<Record<string, Series>> {
  const width = stage.grid.width;
  const out: Record<string, Series> = {};
  for (let k = 0; k < stage.outputs.length; k++) {
    const o = stage.outputs[k];
    const values = Array.from({ length: arraysPerOutput(stage) }, () => new Float32Array(width * stage.grid.height));
    for (const row of tileRows(stage.windows)) {
      for (let d = 0; d < values.length; d++) values[d].set(await readStrip(store, stage, k, d, row), row.y * width);
    }
    out[o.name] = makeSeries({ variable: o.variable, grid: stage.grid, dates: stage.dates, values, ...(o.unit ? { unit: o.unit } : {}) });
  }
  return out;
}

/** Valid (finite) and total values of what was streamed. */
export interface StreamedCount {
  readonly valid: number;
  readonly total: number;
}

/**
 * Stream one output of a finished stage to Cloud-Optimized GeoTIFFs, one per date (`<dir>/<date>.tif`,
 * or `<dir>.tif` for a static stage), tile row by tile row: memory is one strip (tile height × grid
 * width) plus the writer's buffers, whatever the area. Returns the files written (see `runTileStage`).
 */
export async function streamStageToCogs(store: string, stageId: string, output: string, dir: string, options: GeoTiffWriteOptions = {}): Promise<string[]> {
  const stage = await readStage(store, stageId);
  const k = stage.outputs.findIndex((o) => o.name === output);
  if (k < 0) throw inputError(`stage '${stageId}' has no output '${output}'`, { expected: stage.outputs.map((o) => o.name).join(', '), found: output });
  return (await streamOutputToCogs({ store, stage, output: k }, dir, options)).files;
}

/**
 * `streamStageToCogs` for a stage in hand, counting the valid values on the way (a run checks its
 * products with them, without a second pass). The bytes are those `writeGeoTiff` gives for the
 * assembled arrays with the same options (same writer; rows arrive in strips instead of at once).
 * Each file is written atomically; a failure removes the file being written.
 */
export async function streamOutputToCogs({ store, stage, output }: TileOutputRef, dir: string, options: GeoTiffWriteOptions = {}): Promise<{ files: string[]; count: StreamedCount }> {
  const rows = tileRows(stage.windows);
  const width = stage.grid.width;
  const files: string[] = [];
  let strip: Float32Array | undefined;
  let valid = 0;
  for (let d = 0; d < arraysPerOutput(stage); d++) {
    const file = stage.dates.length ? join(dir, `${stage.dates[d]}.tif`) : `${dir}.tif`;
    const writer = await createGeoTiffWriter(file, { grid: stage.grid, bandCount: 1, bandNames: [stage.outputs[output].variable], ...options });
    try {
      for (const row of rows) {
        strip = await readStrip(store, stage, output, d, row, strip);
        for (let i = 0, n = row.height * width; i < n; i++) if (Number.isFinite(strip[i])) valid++;
        await writer.writeRows([strip], row.height);
      }
      await writer.close();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    files.push(file);
  }
  return { files, count: { valid, total: arraysPerOutput(stage) * width * stage.grid.height } };
}
