import type { Grid } from '../model/grid.js';
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
}

/**
 * Warp one band of target rows: returns per band `(rowEnd − rowStart) × to.width` values. Rows are
 * always mapped full width, so results do not depend on how the target is split into tiles.
 * Runs on a worker thread (module `warp-tile.js`) or inline.
 */
export function warpTile(task: WarpTileTask): Float32Array[] {
  const { from, to, method, rowStart, rowEnd } = task;
  const width = to.width;
  const mapper = createPixelMapper(from, to, task.maxError);
  const sources: SourceBand[] = task.bands.map((values) => ({ values, width: from.width, height: from.height }));
  const outs = task.bands.map(() => new Float32Array((rowEnd - rowStart) * width));
  if (method === 'nearest' || method === 'bilinear' || method === 'cubic') {
    const u = new Float64Array(width);
    const v = new Float64Array(width);
    for (let row = rowStart; row < rowEnd; row++) {
      mapper.mapRow(row + 0.5, 0.5, width, u, v);
      const at = (row - rowStart) * width;
      sources.forEach((src, b) => {
        if (method === 'nearest') nearestRow(src, u, v, width, outs[b], at);
        else interpolateRow(method, src, u, v, width, outs[b], at, task.scaleX, task.scaleY);
      });
    }
    return outs;
  }
  // Area methods need pixel corners: the bottom corners of one row are the top corners of the next.
  let uTop = new Float64Array(width + 1);
  let vTop = new Float64Array(width + 1);
  let uBottom = new Float64Array(width + 1);
  let vBottom = new Float64Array(width + 1);
  const scratch = createModeScratch();
  mapper.mapRow(rowStart, 0, width + 1, uTop, vTop);
  for (let row = rowStart; row < rowEnd; row++) {
    mapper.mapRow(row + 1, 0, width + 1, uBottom, vBottom);
    const at = (row - rowStart) * width;
    sources.forEach((src, b) => areaRow(method, src, uTop, vTop, uBottom, vBottom, width, outs[b], at, scratch));
    [uTop, uBottom] = [uBottom, uTop];
    [vTop, vBottom] = [vBottom, vTop];
  }
  return outs;
}
