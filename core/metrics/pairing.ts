import { usageError } from '../errors.js';

/** The valid pairs of a product and a reference series, as float64 arrays of equal length. */
export interface ValidPairs {
  /** Product (estimate) values `e`. */
  readonly product: Float64Array;
  /** Reference (observation) values `o`. */
  readonly reference: Float64Array;
}

/**
 * Drop every pair where either value is NaN or infinite (metrics.md §1, §5: "NaN in either series →
 * drop the pair before anything else") and return the survivors in order, in double precision.
 *
 * @example
 * ```ts
 * validPairs([1, NaN, 3], [1, 2, NaN]).product; // Float64Array [1]
 * ```
 */
export function validPairs(product: ArrayLike<number>, reference: ArrayLike<number>): ValidPairs {
  if (product.length !== reference.length) {
    throw usageError('product and reference must have the same length', {
      path: 'pairedMetrics',
      expected: `${reference.length} product values`,
      found: `${product.length}`,
    });
  }
  let n = 0;
  for (let i = 0; i < product.length; i++) if (Number.isFinite(product[i]) && Number.isFinite(reference[i])) n++;
  const e = new Float64Array(n);
  const o = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < product.length; i++) {
    const pe = product[i];
    const po = reference[i];
    if (Number.isFinite(pe) && Number.isFinite(po)) {
      e[k] = pe;
      o[k] = po;
      k++;
    }
  }
  return { product: e, reference: o };
}

/** Average ranks (1-based, ties share the mean of their ranks), as SciPy `rankdata(method='average')`. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}
