import { inputError, isStatic, makeSeries, type Artifact, type Series } from '../../../core/index.js';

export const ID = 'transform:interval-calibration';

/** The product and its interval, on one grid and one set of dates. */
export interface Interval {
  readonly product: Series;
  readonly lower: Series;
  readonly upper: Series;
}

/** The pooled group quantile lives with the engine's conformal code, which calibrates on a campaign too. */
export { pooledGroupQuantile } from '../../../lib/regression-engine/src/conformal.js';

/** A dated series input, or an input error naming it. */
export function datedSeries(all: Readonly<Record<string, Artifact | undefined>>, name: string): Series {
  const s = all[name] as Series | undefined;
  if (!s || s.kind !== 'series' || isStatic(s)) throw inputError(`interval calibration needs a dated series '${name}'`, { path: `${ID}.${name}`, expected: 'a series with dates', found: s ? (s.kind === 'series' ? 'a static layer' : s.kind) : 'none' });
  return s;
}

/** The `product`, `lower` and `upper` inputs, the bounds checked to be on the product's grid and dates. */
export function intervalInputs(all: Readonly<Record<string, Artifact | undefined>>): Interval {
  const product = datedSeries(all, 'product');
  const lower = datedSeries(all, 'lower');
  const upper = datedSeries(all, 'upper');
  for (const [name, s] of [['lower', lower], ['upper', upper]] as const) {
    if (s.grid.width !== product.grid.width || s.grid.height !== product.grid.height || s.dates.join() !== product.dates.join()) {
      throw inputError(`interval bound '${name}' is not on the product's grid and dates`, { path: `${ID}.${name}`, expected: `${product.grid.width}×${product.grid.height}, ${product.dates.length} dates`, found: `${s.grid.width}×${s.grid.height}, ${s.dates.length} dates` });
    }
  }
  return { product, lower, upper };
}

/** Half-width of the interval at pixel `i` of date index `d`. */
export function halfWidth({ lower, upper }: Interval, d: number, i: number): number {
  return (upper.values[d][i] - lower.values[d][i]) / 2;
}

/** The interval rescaled by `kappa` around the product: `product ± κ · half-width`. */
export function rescaleInterval(interval: Interval, kappa: number): { lower: Series; upper: Series } {
  const { product, lower, upper } = interval;
  const bound = (like: Series, sign: number) =>
    makeSeries({ ...like, values: product.values.map((z, d) => Float32Array.from(z, (v, i) => v + sign * kappa * halfWidth(interval, d, i))) });
  return { lower: bound(lower, -1), upper: bound(upper, 1) };
}
