import { pairedMetrics } from './paired-metrics.js';

/** R, mean bias and OLS slope (sat = a + S·insitu) of one satellite series against in situ. */
export interface GdownStats {
  readonly r: number;
  readonly bias: number;
  readonly slope: number;
}

export interface GdownResult {
  readonly down: GdownStats;
  readonly noDown: GdownStats;
  readonly gR: number;
  readonly gB: number;
  readonly gS: number;
  /** (G_R + G_B + G_S) / 3 ∈ [−1, 1]; positive = downscaling helps. */
  readonly gdown: number;
  /** Pairs where all three series are valid. */
  readonly n: number;
}

/** (a − b)/(a + b) with 0/0 := 0. */
function gain(noDown: number, down: number): number {
  const den = noDown + down;
  return den === 0 ? 0 : (noDown - down) / den;
}

/**
 * Downscaling gain GDOWN (Merlin et al. 2015, as metrics.md §3.11 states it): the downscaled series
 * and the non-downscaled low-resolution series are compared to the same in situ series on the dates
 * where all three are valid; gains G_R (on |1 − R|), G_B (on |bias|) and G_S (on |1 − slope|)
 * are averaged.
 *
 * @example
 * ```ts
 * const g = gdown(downscaled, lowRes, insitu);
 * g.gdown > 0; // downscaling improved on the coarse product
 * ```
 */
export function gdown(downscaled: ArrayLike<number>, lowRes: ArrayLike<number>, reference: ArrayLike<number>): GdownResult {
  const keep: number[] = [];
  for (let i = 0; i < reference.length; i++) {
    if (Number.isFinite(downscaled[i]) && Number.isFinite(lowRes[i]) && Number.isFinite(reference[i])) keep.push(i);
  }
  const pick = (a: ArrayLike<number>): Float64Array => Float64Array.from(keep, (i) => a[i]);
  const o = pick(reference);
  const stats = (sat: Float64Array): GdownStats => {
    const m = pairedMetrics(sat, o);
    return { r: m.r, bias: m.bias, slope: m.slope };
  };
  const down = stats(pick(downscaled));
  const noDown = stats(pick(lowRes));
  const gR = gain(Math.abs(1 - noDown.r), Math.abs(1 - down.r));
  const gB = gain(Math.abs(noDown.bias), Math.abs(down.bias));
  const gS = gain(Math.abs(1 - noDown.slope), Math.abs(1 - down.slope));
  return { down, noDown, gR, gB, gS, gdown: (gR + gB + gS) / 3, n: keep.length };
}
