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
  const { keys, order } = sortWithIndex(values);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    if (Number.isNaN(keys[i])) {
      ranks[order[i++]] = Number.NaN;
      continue;
    }
    let j = i;
    while (j + 1 < n && keys[j + 1] === keys[i]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Stable ascending sort of values with their original indices (NaN last): bottom-up merge sort on typed
 * arrays. No comparator callback and sequential memory access — a comparator sort of an index array over
 * millions of pixel pairs took tens of seconds.
 */
function sortWithIndex(values: ArrayLike<number>): { keys: Float64Array; order: Uint32Array } {
  const n = values.length;
  let keys = new Float64Array(n);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    keys[i] = values[i];
    order[i] = i;
  }
  const less = (a: number, b: number): boolean => a < b || (b !== b && a === a); // NaN sorts last
  const RUN = 32;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(n, lo + RUN);
    for (let i = lo + 1; i < hi; i++) {
      const k = keys[i];
      const o = order[i];
      let j = i - 1;
      while (j >= lo && less(k, keys[j])) {
        keys[j + 1] = keys[j];
        order[j + 1] = order[j];
        j--;
      }
      keys[j + 1] = k;
      order[j + 1] = o;
    }
  }
  let keys2 = new Float64Array(n);
  let order2 = new Uint32Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        if (less(keys[j], keys[i])) {
          keys2[o] = keys[j];
          order2[o++] = order[j++];
        } else {
          keys2[o] = keys[i];
          order2[o++] = order[i++];
        }
      }
      while (i < mid) {
        keys2[o] = keys[i];
        order2[o++] = order[i++];
      }
      while (j < hi) {
        keys2[o] = keys[j];
        order2[o++] = order[j++];
      }
    }
    [keys, keys2] = [keys2, keys];
    [order, order2] = [order2, order];
  }
  return { keys, order };
}
