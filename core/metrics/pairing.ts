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

/**
 * Average ranks (1-based, ties share the mean of their ranks), as SciPy `rankdata(method='average')`;
 * NaN values get NaN ranks.
 *
 * @example
 * ```ts
 * averageRanks([0.3, 0.1, 0.3, Number.NaN]); // Float64Array [2.5, 1, 2.5, NaN]
 * ```
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  // Raster values are float32: their order is the order of 32-bit keys, sorted in linear time.
  const { keys, order } = n >= RADIX_MIN && allFloat32(values) ? radixSortWithIndex(values) : sortWithIndex(values);
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

/** Below this length the merge sort is as fast as the three radix passes. */
const RADIX_MIN = 512;

/** Whether every value survives a round trip through float32 (NaN included), so 32-bit keys order them exactly. */
function allFloat32(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Math.fround(v) !== v && v === v) return false;
  }
  return true;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * Ascending sort of float32-exact values with their original indices (NaN last), as `sortWithIndex` but by
 * LSD radix sort on order-preserving 32-bit keys (11 + 11 + 10 bits; a pass whose digit is the same for
 * every key is skipped). Stable, so ties keep index order — the same result as the merge sort.
 */
function radixSortWithIndex(values: ArrayLike<number>): { keys: Float64Array; order: Uint32Array } {
  const n = values.length;
  let key = new Uint32Array(n);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let k: number;
    if (v !== v) k = 0xffffffff;
    else {
      F32[0] = v;
      const bits = U32[0];
      // Negative floats: flip every bit (larger magnitude → smaller key); positive: set the sign bit.
      k = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
    }
    key[i] = k;
    order[i] = i;
  }
  let key2 = new Uint32Array(n);
  let order2 = new Uint32Array(n);
  const count = new Uint32Array(2048);
  for (const [shift, mask] of [[0, 0x7ff], [11, 0x7ff], [22, 0x3ff]] as const) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i] >>> shift) & mask]++;
    if (count[(key[0] >>> shift) & mask] === n) continue;
    let sum = 0;
    for (let d = 0; d <= mask; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = key[i];
      const dst = count[(k >>> shift) & mask]++;
      key2[dst] = k;
      order2[dst] = order[i];
    }
    [key, key2] = [key2, key];
    [order, order2] = [order2, order];
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = values[order[i]];
  return { keys, order };
}
