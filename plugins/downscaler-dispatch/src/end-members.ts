import type { EndMembers } from './hourglass.js';

export type EndMemberMethod = 'edgeRegression' | 'extremes';

export interface EndMemberEstimate extends EndMembers {
  /** The estimator actually used (edge regression falls back to extremes when fv is poorly sampled). */
  readonly method: EndMemberMethod | 'fixed';
  /** LST extremes of the scope (for the zone-D TVDI variant). */
  readonly lstMin: number;
  readonly lstMax: number;
  readonly pixels: number;
  /** Fallbacks taken while estimating ('edge→extremes', 'Tv swapped'). */
  readonly fallbacks: readonly string[];
}

export interface EndMemberOptions {
  readonly method: EndMemberMethod;
  readonly binWidth: number;
  /** Edge regression needs at least this many fv bins holding pixels. */
  readonly minBins: number;
}

/**
 * The trapezoid corners from the (fv, LST) scatter of `count` pixels listed in `indices`.
 *
 * `edgeRegression` (rslab-ntua port): per fv bin the hottest (dry edge) and coldest (wet edge)
 * pixel; LST regressed on fv along each edge; each line shifted to pass through the scope's hottest
 * (coldest) pixel; corners read at fv = 0 and 1. `extremes` (JPL): Ts from soil-dominated pixels
 * (fv < 0.5), Tv from vegetation-dominated ones (fv ≥ 0.5), each falling back to all pixels.
 *
 * @example
 * ```ts
 * const e = estimateEndMembers(fv, lst, indices, indices.length, { method: 'edgeRegression', binWidth: 0.05, minBins: 5 });
 * ```
 */
export function estimateEndMembers(fv: Float32Array, lst: Float32Array, indices: Int32Array, count: number, options: EndMemberOptions): EndMemberEstimate {
  let lstMin = Infinity;
  let lstMax = -Infinity;
  let fvAtMin = 0;
  let fvAtMax = 0;
  for (let i = 0; i < count; i++) {
    const p = indices[i];
    const t = lst[p];
    if (t > lstMax) { lstMax = t; fvAtMax = fv[p]; }
    if (t < lstMin) { lstMin = t; fvAtMin = fv[p]; }
  }
  const fallbacks: string[] = [];
  if (options.method === 'edgeRegression') {
    const edge = edgeRegression(fv, lst, indices, count, options.binWidth, options.minBins);
    if (edge) {
      const dryIntercept = lstMax - edge.drySlope * fvAtMax;
      const wetIntercept = lstMin - edge.wetSlope * fvAtMin;
      return finish({ tsMax: dryIntercept, tvMax: dryIntercept + edge.drySlope, tsMin: wetIntercept, tvMin: wetIntercept + edge.wetSlope }, 'edgeRegression', lstMin, lstMax, count, fallbacks);
    }
    fallbacks.push('edge→extremes');
  }
  let sMin = Infinity, sMax = -Infinity, vMin = Infinity, vMax = -Infinity;
  for (let i = 0; i < count; i++) {
    const p = indices[i];
    const t = lst[p];
    if (fv[p] < 0.5) {
      if (t < sMin) sMin = t;
      if (t > sMax) sMax = t;
    } else {
      if (t < vMin) vMin = t;
      if (t > vMax) vMax = t;
    }
  }
  if (sMin === Infinity) { sMin = lstMin; sMax = lstMax; fallbacks.push('no soil pixels'); }
  if (vMin === Infinity) { vMin = lstMin; vMax = lstMax; fallbacks.push('no vegetated pixels'); }
  return finish({ tsMin: sMin, tsMax: sMax, tvMin: vMin, tvMax: vMax }, 'extremes', lstMin, lstMax, count, fallbacks);
}

function finish(e: EndMembers, method: EndMemberMethod, lstMin: number, lstMax: number, pixels: number, fallbacks: string[]): EndMemberEstimate {
  let { tvMin, tvMax } = e;
  if (tvMax < tvMin) {
    [tvMin, tvMax] = [tvMax, tvMin];
    fallbacks.push('Tv swapped');
  }
  return { ...e, tvMin, tvMax, method, lstMin, lstMax, pixels, fallbacks };
}

/** Slopes of the dry and wet edges, or undefined when fewer than `minBins` fv bins hold pixels. */
function edgeRegression(fv: Float32Array, lst: Float32Array, indices: Int32Array, count: number, binWidth: number, minBins: number): { drySlope: number; wetSlope: number } | undefined {
  const bins = Math.max(1, Math.ceil(1 / binWidth - 1e-9));
  const hot = new Float64Array(bins).fill(-Infinity);
  const hotFv = new Float64Array(bins);
  const cold = new Float64Array(bins).fill(Infinity);
  const coldFv = new Float64Array(bins);
  for (let i = 0; i < count; i++) {
    const p = indices[i];
    const f = fv[p];
    const b = Math.min(bins - 1, Math.floor(f / binWidth));
    const t = lst[p];
    if (t > hot[b]) { hot[b] = t; hotFv[b] = f; }
    if (t < cold[b]) { cold[b] = t; coldFv[b] = f; }
  }
  const slope = (ys: Float64Array, xs: Float64Array) => {
    let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let b = 0; b < bins; b++) {
      if (!Number.isFinite(ys[b])) continue;
      n++; sx += xs[b]; sy += ys[b]; sxx += xs[b] * xs[b]; sxy += xs[b] * ys[b];
    }
    const den = n * sxx - sx * sx;
    return { n, slope: den > 0 ? (n * sxy - sx * sy) / den : Number.NaN };
  };
  const dry = slope(hot, hotFv);
  const wet = slope(cold, coldFv);
  if (dry.n < minBins || !Number.isFinite(dry.slope) || !Number.isFinite(wet.slope)) return undefined;
  return { drySlope: dry.slope, wetSlope: wet.slope };
}
