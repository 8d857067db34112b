import { isNorthUp, makeSeries, sameCrs, type Grid, type Series } from '../../core/index.js';

/**
 * Nearest and bilinear resampling specialised for north-up grids in one CRS, where a target pixel's
 * source column depends only on its column and its source row only on its row. Index and weight
 * tables are computed once per axis, so each fine pixel costs a few loads: fast enough for an
 * 11-Mpx target per date. Semantics are those of core `resampleToGrid` (centres outside the
 * source → NaN; bilinear clamps neighbours at the edges, skips NaN neighbours and renormalises).
 * Returns undefined when the grids are not both north-up in one CRS (callers fall back to core).
 */
export function resampleAxisAligned(series: Series, to: Grid, method: 'nearest' | 'bilinear'): Series | undefined {
  const from = series.grid;
  if (!isNorthUp(from) || !isNorthUp(to) || !sameCrs(from.crs, to.crs)) return undefined;
  const cols = axisTable(to.width, to.transform[0], to.transform[1], from.transform[0], from.transform[1], from.width);
  const rows = axisTable(to.height, to.transform[3], to.transform[5], from.transform[3], from.transform[5], from.height);
  const resample = method === 'nearest' ? nearestBand : bilinearBand;
  return makeSeries({
    variable: series.variable,
    grid: to,
    dates: series.dates,
    values: series.values.map((v) => resample(v, from.width, to.width, to.height, cols, rows)),
    unit: series.unit,
    categorical: series.categorical,
  });
}

/** Per target index along one axis: the containing source index (−1 outside), and the bilinear pair and weight. */
interface AxisTable {
  readonly inside: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly frac: Float64Array;
}

function axisTable(n: number, origin: number, step: number, srcOrigin: number, srcStep: number, srcN: number): AxisTable {
  const inside = new Int32Array(n);
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const frac = new Float64Array(n);
  // Same arithmetic as core: the source coordinate of target centre k is u0 + k·du.
  const u0 = (origin + 0.5 * step - srcOrigin) / srcStep;
  const du = (origin + 1.5 * step - srcOrigin) / srcStep - u0;
  for (let k = 0; k < n; k++) {
    const u = u0 + k * du;
    inside[k] = u >= 0 && u < srcN ? Math.floor(u) : -1;
    const x = u - 0.5;
    const xf = Math.floor(x);
    frac[k] = x - xf;
    lo[k] = xf < 0 ? 0 : xf >= srcN ? srcN - 1 : xf;
    hi[k] = xf + 1 < 0 ? 0 : xf + 1 >= srcN ? srcN - 1 : xf + 1;
  }
  return { inside, lo, hi, frac };
}

function nearestBand(src: Float32Array, sw: number, tw: number, th: number, cols: AxisTable, rows: AxisTable): Float32Array {
  const out = new Float32Array(tw * th);
  const ci = cols.inside;
  for (let r = 0; r < th; r++) {
    const base = r * tw;
    const sr = rows.inside[r];
    if (sr < 0) {
      out.fill(Number.NaN, base, base + tw);
      continue;
    }
    const srcBase = sr * sw;
    for (let c = 0; c < tw; c++) {
      const sc = ci[c];
      out[base + c] = sc < 0 ? Number.NaN : src[srcBase + sc];
    }
  }
  return out;
}

function bilinearBand(src: Float32Array, sw: number, tw: number, th: number, cols: AxisTable, rows: AxisTable): Float32Array {
  const out = new Float32Array(tw * th);
  const { inside: ci, lo: xa, hi: xb, frac: fxs } = cols;
  for (let r = 0; r < th; r++) {
    const base = r * tw;
    if (rows.inside[r] < 0) {
      out.fill(Number.NaN, base, base + tw);
      continue;
    }
    const a = rows.lo[r] * sw;
    const b = rows.hi[r] * sw;
    const fy = rows.frac[r];
    for (let c = 0; c < tw; c++) {
      if (ci[c] < 0) {
        out[base + c] = Number.NaN;
        continue;
      }
      const fx = fxs[c];
      let sum = 0;
      let wsum = 0;
      let wt = (1 - fx) * (1 - fy);
      let v = src[a + xa[c]];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      wt = fx * (1 - fy);
      v = src[a + xb[c]];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      wt = (1 - fx) * fy;
      v = src[b + xa[c]];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      wt = fx * fy;
      v = src[b + xb[c]];
      if (v === v && wt > 0) { sum += wt * v; wsum += wt; }
      out[base + c] = wsum > 0 ? sum / wsum : Number.NaN;
    }
  }
  return out;
}
