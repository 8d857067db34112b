import type { Grid } from '../model/grid.js';
import { workerTask } from '../services/worker-task.js';
import { createPixelMapper } from './warp-coords.js';
import { areaRow, createModeScratch, interpolateRow, nearestRow, type AreaMethod, type SourceBand } from './warp-kernels.js';

/** Resampling methods of the warper (GDAL's `-r` names). */
export type WarpMethod = 'nearest' | 'bilinear' | 'cubic' | AreaMethod;

export const WARP_METHODS: readonly WarpMethod[] = ['nearest', 'bilinear', 'cubic', 'average', 'mode', 'min', 'max'];

/** Rows `[rowStart, rowEnd)` of the target to warp, with everything a worker thread needs. */
export interface WarpTileTask {
  /** Source bands on `from` (row-major; may be backed by a `SharedArrayBuffer`). */
  readonly bands: readonly Float32Array[];
  readonly from: Grid;
  readonly to: Grid;
  readonly method: WarpMethod;
  /** Coordinate approximation bound in source pixels (0 = exact). */
  readonly maxError: number;
  /** Target-to-source pixel scales (see `warpScale`); select the widened bilinear/cubic kernel. */
  readonly scaleX: number;
  readonly scaleY: number;
  readonly rowStart: number;
  readonly rowEnd: number;
  /** Columns `[colStart, colEnd)` of `to` to produce; default all. */
  readonly colStart?: number;
  readonly colEnd?: number;
}

/**
 * Warp a block of target rows and columns: returns per band `(rowEnd − rowStart) × (colEnd − colStart)`
 * values. Rows are always mapped over the full width of `to`, so a pixel's value does not depend on
 * how the target is split into tiles or windows. Runs on a worker thread (module `warp-tile.js`) or inline.
 */
export function warpTile(task: WarpTileTask): Float32Array[] {
  const { from, to, method, rowStart, rowEnd } = task;
  const colStart = task.colStart ?? 0;
  const width = (task.colEnd ?? to.width) - colStart;
  const full = to.width;
  const mapper = createPixelMapper(from, to, task.maxError);
  const sources: SourceBand[] = task.bands.map((values) => ({ values, width: from.width, height: from.height }));
  const outs = task.bands.map(() => new Float32Array((rowEnd - rowStart) * width));
  if (method === 'nearest' || method === 'bilinear' || method === 'cubic') {
    const uRow = new Float64Array(full);
    const vRow = new Float64Array(full);
    const u = uRow.subarray(colStart);
    const v = vRow.subarray(colStart);
    for (let row = rowStart; row < rowEnd; row++) {
      mapper.mapRow(row + 0.5, 0.5, full, uRow, vRow);
      const at = (row - rowStart) * width;
      sources.forEach((src, b) => {
        if (method === 'nearest') nearestRow(src, u, v, width, outs[b], at);
        else interpolateRow(method, src, u, v, width, outs[b], at, task.scaleX, task.scaleY);
      });
    }
    return outs;
  }
  // Area methods need pixel corners: the bottom corners of one row are the top corners of the next.
  let uTop = new Float64Array(full + 1);
  let vTop = new Float64Array(full + 1);
  let uBottom = new Float64Array(full + 1);
  let vBottom = new Float64Array(full + 1);
  const scratch = createModeScratch();
  mapper.mapRow(rowStart, 0, full + 1, uTop, vTop);
  for (let row = rowStart; row < rowEnd; row++) {
    mapper.mapRow(row + 1, 0, full + 1, uBottom, vBottom);
    const at = (row - rowStart) * width;
    const [ut, vt, ub, vb] = [uTop, vTop, uBottom, vBottom].map((a) => a.subarray(colStart));
    sources.forEach((src, b) => areaRow(method, src, ut, vt, ub, vb, width, outs[b], at, scratch));
    [uTop, uBottom] = [uBottom, uTop];
    [vTop, vBottom] = [vBottom, vTop];
  }
  return outs;
}

/** `warpTile` on a worker thread. */
export const warpTileTask = workerTask(import.meta.url, { warpTile });
