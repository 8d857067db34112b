import { inputError } from '../errors.js';
import { describeGrid, pixelCount, type Grid } from '../model/grid.js';
import { makeSeries, type Series } from '../model/series.js';
import { sameCrs } from '../crs/resolve.js';
import { cubicWeight } from './warp-kernels.js';

/** Interpolation used by `resampleToGrid`. `bicubic` is Keys' cubic convolution (a = -0.5). */
export type ResampleMethod = 'nearest' | 'bilinear' | 'bicubic';

/**
 * Resample a band from one grid to another in the same CRS. Each target pixel centre is mapped into
 * source pixel space; centres outside the source extent are NaN. Bilinear and bicubic renormalise
 * their weights over valid (non-NaN) neighbours and clamp neighbours at the edges; a bicubic pixel
 * whose valid weights sum to little (< 0.25, mostly NaN around it) falls back to bilinear.
 *
 * @example
 * ```ts
 * const smFine = resampleToGrid(smCoarse.values[0], coarseGrid, fineGrid, 'bilinear'); // the first date's band
 * ```
 */
export function resampleToGrid(values: Float32Array, from: Grid, to: Grid, method: ResampleMethod): Float32Array {
  if (values.length !== pixelCount(from)) {
    throw new RangeError(`resampleToGrid: ${values.length} values for a ${from.width}×${from.height} grid`);
  }
  if (!sameCrs(from.crs, to.crs)) {
    throw inputError('cannot resample between different CRSs (reproject first)', {
      path: `from ${describeGrid(from)}; to ${describeGrid(to)}`,
      expected: 'the same CRS',
      found: `${from.crs.slice(0, 40)} vs ${to.crs.slice(0, 40)}`,
    });
  }
  // Source pixel coordinates (u, v) of target pixel centres are affine in (col, row):
  // u = u0 + col*uc + row*ur, v = v0 + col*vc + row*vr.
  const [a, b, c, d, e, f] = from.transform;
  const det = b * f - c * e;
  if (det === 0) throw inputError('source grid transform is singular', { path: describeGrid(from), expected: 'an invertible transform', found: `[${from.transform.join(', ')}]` });
  const t = to.transform;
  const toU = (x: number, y: number) => (f * (x - a) - c * (y - d)) / det;
  const toV = (x: number, y: number) => (-e * (x - a) + b * (y - d)) / det;
  const x0 = t[0] + 0.5 * t[1] + 0.5 * t[2];
  const y0 = t[3] + 0.5 * t[4] + 0.5 * t[5];
  const u0 = toU(x0, y0);
  const v0 = toV(x0, y0);
  const uc = toU(x0 + t[1], y0 + t[4]) - u0;
  const vc = toV(x0 + t[1], y0 + t[4]) - v0;
  const ur = toU(x0 + t[2], y0 + t[5]) - u0;
  const vr = toV(x0 + t[2], y0 + t[5]) - v0;

  const out = new Float32Array(pixelCount(to));
  if (ur === 0 && vc === 0) {
    // Axis-aligned: source indices and weights depend on the column alone and on the row alone;
    // precompute them per axis so each target pixel costs a few loads (11-Mpx targets per date).
    if (method === 'nearest') nearestSeparable(values, from.width, from.height, out, to.width, to.height, u0, uc, v0, vr);
    else if (method === 'bilinear') bilinearSeparable(values, from.width, from.height, out, to.width, to.height, u0, uc, v0, vr);
    else separable(values, from.width, from.height, out, to.width, to.height, u0, uc, v0, vr, 4);
    return out;
  }
  const sw = from.width;
  const sh = from.height;
  const tw = to.width;
  for (let row = 0; row < to.height; row++) {
    const ub = u0 + row * ur;
    const vb = v0 + row * vr;
    const rowBase = row * tw;
    for (let col = 0; col < tw; col++) {
      const u = ub + col * uc;
      const v = vb + col * vc;
      if (!(u >= 0 && u < sw && v >= 0 && v < sh)) {
        out[rowBase + col] = Number.NaN;
        continue;
      }
      let value: number;
      if (method === 'nearest') value = values[Math.floor(v) * sw + Math.floor(u)];
      else if (method === 'bilinear') value = bilinearAt(values, sw, sh, u - 0.5, v - 0.5);
      else value = bicubicAt(values, sw, sh, u - 0.5, v - 0.5);
      out[rowBase + col] = value;
    }
  }
  return out;
}

/**
 * Per-axis taps (k = 2 bilinear, 4 bicubic) for target positions p0 + i·dp: clamped source indices
 * and weights; `inside[i]` = 0 when the position lies outside the source.
 */
function axisTaps(n: number, p0: number, dp: number, size: number, k: number) {
  const index = new Int32Array(n * k);
  const weight = new Float64Array(n * k);
  const inside = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = p0 + i * dp;
    inside[i] = p >= 0 && p < size ? 1 : 0;
    const x = p - 0.5;
    const xf = Math.floor(x);
    const f = x - xf;
    for (let t = 0; t < k; t++) {
      const off = k === 2 ? t : t - 1;
      let xi = xf + off;
      xi = xi < 0 ? 0 : xi >= size ? size - 1 : xi;
      index[i * k + t] = xi;
      weight[i * k + t] = k === 2 ? (t === 0 ? 1 - f : f) : cubicWeight(off - f);
    }
  }
  return { index, weight, inside };
}

function separable(
  values: Float32Array,
  sw: number,
  sh: number,
  out: Float32Array,
  tw: number,
  th: number,
  u0: number,
  uc: number,
  v0: number,
  vr: number,
  k: number,
): void {
  const cols = axisTaps(tw, u0, uc, sw, k);
  const rows = axisTaps(th, v0, vr, sh, k);
  const ci = cols.index;
  const cw = cols.weight;
  for (let row = 0; row < th; row++) {
    const base = row * tw;
    if (!rows.inside[row]) {
      out.fill(Number.NaN, base, base + tw);
      continue;
    }
    for (let col = 0; col < tw; col++) {
      if (!cols.inside[col]) {
        out[base + col] = Number.NaN;
        continue;
      }
      let sum = 0;
      let wsum = 0;
      for (let j = 0; j < k; j++) {
        const wy = rows.weight[row * k + j];
        if (wy === 0) continue;
        const srcRow = rows.index[row * k + j] * sw;
        for (let t = 0; t < k; t++) {
          const wt = wy * cw[col * k + t];
          if (wt === 0) continue;
          const v = values[srcRow + ci[col * k + t]];
          if (v !== v) continue;
          sum += wt * v;
          wsum += wt;
        }
      }
      if (k === 2) out[base + col] = wsum > 0 ? sum / wsum : Number.NaN;
      else if (wsum >= 0.25) out[base + col] = sum / wsum;
      else {
        const u = u0 + col * uc;
        const v = v0 + row * vr;
        out[base + col] = bilinearAt(values, sw, sh, u - 0.5, v - 0.5);
      }
    }
  }
}

/** Nearest neighbour on axis-aligned grids: one source index per target column and per target row. */
function nearestSeparable(values: Float32Array, sw: number, sh: number, out: Float32Array, tw: number, th: number, u0: number, uc: number, v0: number, vr: number): void {
  const col = new Int32Array(tw);
  for (let c = 0; c < tw; c++) {
    const u = u0 + c * uc;
    col[c] = u >= 0 && u < sw ? Math.floor(u) : -1;
  }
  for (let r = 0; r < th; r++) {
    const base = r * tw;
    const v = v0 + r * vr;
    if (!(v >= 0 && v < sh)) {
      out.fill(Number.NaN, base, base + tw);
      continue;
    }
    const srcBase = Math.floor(v) * sw;
    for (let c = 0; c < tw; c++) {
      const sc = col[c];
      out[base + c] = sc < 0 ? Number.NaN : values[srcBase + sc];
    }
  }
}

/** Bilinear on axis-aligned grids: the generic separable loop unrolled for two taps per axis. */
function bilinearSeparable(values: Float32Array, sw: number, sh: number, out: Float32Array, tw: number, th: number, u0: number, uc: number, v0: number, vr: number): void {
  const cols = axisTaps(tw, u0, uc, sw, 2);
  const rows = axisTaps(th, v0, vr, sh, 2);
  const ci = cols.index;
  const cw = cols.weight;
  for (let r = 0; r < th; r++) {
    const base = r * tw;
    if (!rows.inside[r]) {
      out.fill(Number.NaN, base, base + tw);
      continue;
    }
    const a = rows.index[2 * r] * sw;
    const b = rows.index[2 * r + 1] * sw;
    const wa = rows.weight[2 * r];
    const wb = rows.weight[2 * r + 1];
    for (let c = 0; c < tw; c++) {
      if (!cols.inside[c]) {
        out[base + c] = Number.NaN;
        continue;
      }
      const xa = ci[2 * c];
      const xb = ci[2 * c + 1];
      const w0 = cw[2 * c];
      const w1 = cw[2 * c + 1];
      let sum = 0;
      let wsum = 0;
      let wt = w0 * wa;
      let v = values[a + xa];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      wt = w1 * wa;
      v = values[a + xb];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      wt = w0 * wb;
      v = values[b + xa];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      wt = w1 * wb;
      v = values[b + xb];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      out[base + c] = wsum > 0 ? sum / wsum : Number.NaN;
    }
  }
}

/** Bilinear value at source pixel-centre coordinates (x, y) (pixel i's centre at x = i). */
function bilinearAt(values: Float32Array, w: number, h: number, x: number, y: number): number {
  const xf = Math.floor(x);
  const yf = Math.floor(y);
  const fx = x - xf;
  const fy = y - yf;
  const xa = xf < 0 ? 0 : xf >= w ? w - 1 : xf;
  const xb = xf + 1 < 0 ? 0 : xf + 1 >= w ? w - 1 : xf + 1;
  const ya = yf < 0 ? 0 : yf >= h ? h - 1 : yf;
  const yb = yf + 1 < 0 ? 0 : yf + 1 >= h ? h - 1 : yf + 1;
  let sum = 0;
  let wsum = 0;
  let wt = (1 - fx) * (1 - fy);
  let v = values[ya * w + xa];
  if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
  wt = fx * (1 - fy);
  v = values[ya * w + xb];
  if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
  wt = (1 - fx) * fy;
  v = values[yb * w + xa];
  if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
  wt = fx * fy;
  v = values[yb * w + xb];
  if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
  if (wsum > 0) return sum / wsum;
  // Exactly on a NaN pixel centre with all weighted neighbours NaN.
  return Number.NaN;
}

function bicubicAt(values: Float32Array, w: number, h: number, x: number, y: number): number {
  const xf = Math.floor(x);
  const yf = Math.floor(y);
  const fx = x - xf;
  const fy = y - yf;
  let sum = 0;
  let wsum = 0;
  for (let j = -1; j <= 2; j++) {
    const wy = cubicWeight(j - fy);
    if (wy === 0) continue;
    let yy = yf + j;
    yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy;
    const base = yy * w;
    for (let i = -1; i <= 2; i++) {
      const wx = cubicWeight(i - fx);
      if (wx === 0) continue;
      let xx = xf + i;
      xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx;
      const v = values[base + xx];
      if (v !== v) continue;
      const wt = wx * wy;
      sum += wt * v;
      wsum += wt;
    }
  }
  if (wsum >= 0.25) return sum / wsum;
  return bilinearAt(values, w, h, x, y);
}

/**
 * Resample every date of a series to `to`. Categorical series always use `nearest`.
 *
 * @example
 * ```ts
 * const smOnFine = resampleSeries(smCoarse, fineGrid, 'bicubic');
 * ```
 */
export function resampleSeries(series: Series, to: Grid, method: ResampleMethod): Series {
  const m = series.categorical ? 'nearest' : method;
  return makeSeries({
    variable: series.variable,
    grid: to,
    dates: series.dates,
    values: series.values.map((v) => resampleToGrid(v, series.grid, to, m)),
    unit: series.unit,
    categorical: series.categorical,
  });
}
