/**
 * Order statistics used to summarise metrics over stations, dates or pixels. NaN values are ignored
 * (a station without a metric does not count). Quantiles use linear interpolation between order
 * statistics — NumPy's default (`np.nanpercentile`, method 'linear', Hyndman & Fan type 7).
 */

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out.push(values[i]);
  return Float64Array.from(out).sort();
}

function quantileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of the finite values; NaN when there are none.
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.25); // 1.75
 * ```
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  return quantileOfSorted(finiteSorted(values), q);
}

/** Median of the finite values; NaN when there are none. */
export function median(values: ArrayLike<number>): number {
  return quantileOfSorted(finiteSorted(values), 0.5);
}

/** Interquartile range (75th − 25th percentile) of the finite values; NaN when there are none. */
export function iqr(values: ArrayLike<number>): number {
  const s = finiteSorted(values);
  return quantileOfSorted(s, 0.75) - quantileOfSorted(s, 0.25);
}

/** Arithmetic mean of the finite values; NaN when there are none. */
export function finiteMean(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n ? s / n : Number.NaN;
}
