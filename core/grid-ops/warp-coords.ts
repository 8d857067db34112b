import type { Converter } from 'proj4';
import { sameCrs } from '../crs/resolve.js';
import { crsConverter } from '../crs/transform.js';
import type { Grid } from '../model/grid.js';

/**
 * Default bound on the coordinate approximation, in source pixels: GDAL's default `-et 0.125`.
 * `0` transforms every point exactly.
 */
export const DEFAULT_MAX_ERROR = 0.125;

/** Spans shorter than this are transformed point by point (the checks would cost as much). */
const MIN_APPROX_SPAN = 8;

/**
 * Maps target pixel positions to fractional source pixel coordinates: `u` along source columns, `v`
 * along source rows, pixel `i` covering `[i, i + 1)` (so a pixel centre is at `i + 0.5`).
 */
export interface PixelMapper {
  /**
   * Source coordinates of the target points `(i + colOffset, row)`, `i` in `[0, n)`, into `u` and `v`
   * (`NaN` where proj4 cannot transform the point). `row` and `colOffset` are in target pixels: 0.5
   * for pixel centres, 0 for top-left corners.
   */
  mapRow(row: number, colOffset: number, n: number, u: Float64Array, v: Float64Array): void;
}

/**
 * A mapper from `to` (the target grid) into `from` (the source grid) through proj4.
 *
 * With `maxError > 0` each row is approximated like GDAL's approximate transformer: the end points of
 * a span are transformed exactly, and the span is linearly interpolated when the interpolation misses
 * the exact position by at most `maxError` source pixels at its midpoint and quarter points; otherwise
 * it is halved and each half checked again. Projections are smooth at pixel scale, so the error
 * between checked points stays within the bound too (the warp tests measure it on every pixel).
 * Same-CRS grids map affinely, exactly.
 *
 * @example
 * ```ts
 * const mapper = createPixelMapper(modisGrid, utmGrid);
 * const u = new Float64Array(utmGrid.width);
 * const v = new Float64Array(utmGrid.width);
 * mapper.mapRow(10.5, 0.5, utmGrid.width, u, v); // source positions of the centres of target row 10
 * assert.ok(u.every((col) => col > 0 && col < modisGrid.width)); // the MODIS grid covers the UTM one
 * ```
 */
export function createPixelMapper(from: Grid, to: Grid, maxError = DEFAULT_MAX_ERROR): PixelMapper {
  const t = to.transform;
  const [a, b, c, d, e, f] = from.transform;
  const det = b * f - c * e;
  if (det === 0) throw new RangeError(`source grid transform is singular: [${from.transform.join(', ')}]`);
  const converter: Converter | undefined = sameCrs(from.crs, to.crs) ? undefined : crsConverter(to.crs, from.crs);
  const point = { x: 0, y: 0 };

  /** Exact source coordinates of target point (col, row) into u[i], v[i]. */
  const exact = (col: number, row: number, u: Float64Array, v: Float64Array, i: number): void => {
    let x = t[0] + col * t[1] + row * t[2];
    let y = t[3] + col * t[4] + row * t[5];
    if (converter) {
      point.x = x;
      point.y = y;
      try {
        const out = converter.forward(point);
        x = out.x;
        y = out.y;
      } catch {
        x = Number.NaN;
        y = Number.NaN;
      }
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        u[i] = Number.NaN;
        v[i] = Number.NaN;
        return;
      }
    }
    const dx = x - a;
    const dy = y - d;
    u[i] = (f * dx - c * dy) / det;
    v[i] = (-e * dx + b * dy) / det;
  };

  const scratchU = new Float64Array(1);
  const scratchV = new Float64Array(1);
  /** Whether linear interpolation between i0 and i1 is within maxError at point i (computing it exactly into u, v). */
  const fits = (i0: number, i1: number, i: number, row: number, colOffset: number, u: Float64Array, v: Float64Array): boolean => {
    exact(i + colOffset, row, u, v, i);
    const w = (i - i0) / (i1 - i0);
    const du = Math.abs(u[i0] + w * (u[i1] - u[i0]) - u[i]);
    const dv = Math.abs(v[i0] + w * (v[i1] - v[i0]) - v[i]);
    return du <= maxError && dv <= maxError; // false for NaN anywhere
  };

  const refine = (i0: number, i1: number, row: number, colOffset: number, u: Float64Array, v: Float64Array): void => {
    if (i1 - i0 < 2) return;
    if (i1 - i0 < MIN_APPROX_SPAN) {
      for (let i = i0 + 1; i < i1; i++) exact(i + colOffset, row, u, v, i);
      return;
    }
    const mid = (i0 + i1) >> 1;
    const q1 = (i0 + mid) >> 1;
    const q3 = (mid + i1) >> 1;
    // Evaluate all three (no short-circuit) so each holds its exact value if we split.
    const ok = [fits(i0, i1, mid, row, colOffset, u, v), fits(i0, i1, q1, row, colOffset, u, v), fits(i0, i1, q3, row, colOffset, u, v)];
    if (ok[0] && ok[1] && ok[2]) {
      const du = (u[i1] - u[i0]) / (i1 - i0);
      const dv = (v[i1] - v[i0]) / (i1 - i0);
      for (let i = i0 + 1; i < i1; i++) {
        u[i] = u[i0] + (i - i0) * du;
        v[i] = v[i0] + (i - i0) * dv;
      }
      return;
    }
    refine(i0, mid, row, colOffset, u, v);
    refine(mid, i1, row, colOffset, u, v);
  };

  return {
    mapRow(row, colOffset, n, u, v) {
      if (n <= 0) return;
      if (!converter) {
        // Affine: exact end points, exact linear steps.
        exact(colOffset, row, u, v, 0);
        exact(colOffset + 1, row, scratchU, scratchV, 0);
        const du = scratchU[0] - u[0];
        const dv = scratchV[0] - v[0];
        for (let i = 1; i < n; i++) {
          u[i] = u[0] + i * du;
          v[i] = v[0] + i * dv;
        }
        return;
      }
      exact(colOffset, row, u, v, 0);
      if (n === 1) return;
      exact(n - 1 + colOffset, row, u, v, n - 1);
      if (maxError <= 0) {
        for (let i = 1; i < n - 1; i++) exact(i + colOffset, row, u, v, i);
        return;
      }
      refine(0, n - 1, row, colOffset, u, v);
    },
  };
}
