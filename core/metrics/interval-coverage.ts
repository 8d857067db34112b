/**
 * Empirical coverage and mean width of prediction intervals: the share of reference values inside
 * [lower, upper] and the mean of upper − lower, over the positions where all three are finite.
 * A nominal 90 % interval is calibrated when the coverage is near 0.9 (docs/ensembles.md).
 *
 * @example
 * ```ts
 * const acc = intervalCoverage();
 * acc.add([0.1, 0.2], [0.3, 0.25], [0.2, 0.3]); // lower, upper, reference
 * acc.result(); // { n: 2, coverage: 0.5, meanWidth: 0.125 }
 * ```
 */
export function intervalCoverage() {
  let n = 0;
  let inside = 0;
  let width = 0;
  return {
    add(lower: ArrayLike<number>, upper: ArrayLike<number>, reference: ArrayLike<number>, at?: ArrayLike<number>) {
      const count = at ? at.length : reference.length;
      for (let j = 0; j < count; j++) {
        const i = at ? at[j] : j;
        const l = lower[i];
        const u = upper[i];
        const r = reference[at ? j : i];
        if (!(Number.isFinite(l) && Number.isFinite(u) && Number.isFinite(r))) continue;
        n++;
        width += u - l;
        if (r >= l && r <= u) inside++;
      }
    },
    result(): { n: number; coverage: number; meanWidth: number } {
      return { n, coverage: n ? inside / n : Number.NaN, meanWidth: n ? width / n : Number.NaN };
    },
  };
}
