import { createRng } from '../../../core/index.js';

/** A binned feature matrix: column-major bin codes, one column of `rows` codes per feature. */
export type BinCodes = Uint8Array | Uint16Array;

/**
 * Per-feature bin edges. A value `v` falls in bin `b`, the first bin with `v <= upper[b]`; values
 * above the last edge fall in the last value bin and `NaN` falls in `missingBin`. Edges are float32
 * so that `x <= upper[b]` on raw float32 features agrees exactly with `bin(x) <= b`: trees are
 * trained on bins and applied to raw values with the same routing.
 */
export interface BinEdges {
  /** `upper[f]` holds the upper edges of feature `f`'s value bins except the last (open-ended) one. */
  readonly upper: readonly Float32Array[];
  /** Bin code of missing values (`NaN`): one past the largest value bin of any feature. */
  readonly missingBin: number;
}

export interface BinningOptions {
  /** Value bins per feature (2–65535); one more code is reserved for missing values. */
  readonly maxBins: number;
  /** Rows sampled to place quantile edges (all rows when fewer). */
  readonly sampleRows?: number;
  readonly seed?: number;
}

/**
 * Quantile bin edges of each column of a row-major matrix. Columns with at most `maxBins` distinct
 * values get one bin per value (edges at midpoints), so a step function on them is recovered exactly.
 *
 * @example
 * ```ts
 * const edges = computeBinEdges(table.x, table.rows, table.columns.length, { maxBins: 255 });
 * const codes = binColumns(table.x, table.rows, table.columns.length, edges);
 * ```
 */
export function computeBinEdges(x: Float32Array, rows: number, cols: number, options: BinningOptions): BinEdges {
  const maxBins = missingBinFor(options.maxBins);
  const sampleRows = Math.min(rows, options.sampleRows ?? 200_000);
  let sample: Int32Array | undefined;
  if (sampleRows < rows) {
    // Floyd-free partial shuffle of row ids; deterministic from the seed.
    const rng = createRng(options.seed ?? 0);
    const ids = new Int32Array(rows);
    for (let i = 0; i < rows; i++) ids[i] = i;
    for (let i = 0; i < sampleRows; i++) {
      const j = i + rng.int(rows - i);
      const t = ids[i];
      ids[i] = ids[j];
      ids[j] = t;
    }
    sample = ids.subarray(0, sampleRows);
  }
  const values = new Float32Array(sampleRows);
  const scratch = new Float32Array(sampleRows);
  const upper: Float32Array[] = [];
  for (let f = 0; f < cols; f++) {
    let n = 0;
    for (let i = 0; i < sampleRows; i++) {
      const v = x[(sample ? sample[i] : i) * cols + f];
      if (v === v) values[n++] = v;
    }
    upper.push(edgesOfSorted(sortFloat32(values.subarray(0, n), scratch), maxBins));
  }
  return { upper, missingBin: maxBins };
}

/**
 * Sorts non-NaN float32 values ascending, as `Float32Array.prototype.sort` does (−0 before +0), by an LSD
 * radix sort on their order-preserving bit patterns: several times faster on the 10⁵-value columns binned here.
 * Returns `values` or `scratch` (of at least the same length), whichever holds the result.
 */
export function sortFloat32(values: Float32Array, scratch: Float32Array): Float32Array {
  const n = values.length;
  let src = new Uint32Array(values.buffer, values.byteOffset, n);
  let dst = new Uint32Array(scratch.buffer, scratch.byteOffset, n);
  // Negative floats: flip all bits (larger magnitude sorts first); positive: flip the sign bit.
  for (let i = 0; i < n; i++) src[i] ^= src[i] >>> 31 ? 0xffffffff : 0x80000000;
  const counts = new Int32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[i] >>> shift) & 255]++;
    for (let b = 0, sum = 0; b < 256; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) dst[counts[(src[i] >>> shift) & 255]++] = src[i];
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i = 0; i < n; i++) src[i] ^= src[i] >>> 31 ? 0x80000000 : 0xffffffff;
  // Four passes: the result is back in `values`' memory.
  return new Float32Array(src.buffer, src.byteOffset, n);
}

/** Upper edges for sorted finite values: midpoints between distinct neighbours, at most `maxBins - 1` of them. */
function edgesOfSorted(sorted: Float32Array, maxBins: number): Float32Array {
  const n = sorted.length;
  let nDistinct = n > 0 ? 1 : 0;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) nDistinct++;
  const edges: number[] = [];
  if (nDistinct <= maxBins) {
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) edges.push(midpoint(sorted[i - 1], sorted[i]));
    return Float32Array.from(edges);
  }
  // Equal-frequency edges: close a bin once it holds its share of the remaining values.
  let remaining = n;
  let binsLeft = maxBins;
  let inBin = 0;
  let d = 0; // index of the current distinct value
  for (let i = 0; i < n && binsLeft > 1; d++) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    if (j >= n) break; // the last distinct value has no upper neighbour
    inBin += j - i;
    const target = remaining / binsLeft;
    if (inBin >= target || nDistinct - 1 - d < binsLeft) {
      edges.push(midpoint(sorted[i], sorted[j]));
      remaining -= inBin;
      inBin = 0;
      binsLeft--;
    }
    i = j;
  }
  return Float32Array.from(edges);
}

/** A float32 strictly between `a` and `b` when one exists, else `a` (so `a` goes left, `b` right). */
function midpoint(a: number, b: number): number {
  const m = Math.fround(a + (b - a) / 2);
  return m >= a && m < b ? m : a;
}

/** The missing-value bin code for `maxBins` value bins (the value bins clamped to 2–65535), known before binning. */
export function missingBinFor(maxBins: number): number {
  return Math.max(2, Math.min(65535, Math.floor(maxBins)));
}

/** The bin code of value `v` against sorted upper edges (binary search). */
export function binOf(v: number, upper: Float32Array, missingBin: number): number {
  if (v !== v) return missingBin;
  let lo = 0;
  let hi = upper.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= upper[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bin a row-major matrix into column-major codes (`codes[f * rows + r]`), optionally into shared
 * memory so worker threads read it without a copy.
 */
export function binColumns(x: Float32Array, rows: number, cols: number, edges: BinEdges, shared = false): BinCodes {
  const length = rows * cols;
  const wide = edges.missingBin > 255;
  const bytes = length * (wide ? 2 : 1);
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const codes: BinCodes = wide ? new Uint16Array(buffer) : new Uint8Array(buffer);
  const mb = edges.missingBin;
  for (let f = 0; f < cols; f++) {
    // Edges padded with +∞ to a power of two: a fixed number of branch-free halvings per value.
    const upper = edges.upper[f];
    let size = 1;
    while (size < upper.length + 1) size *= 2;
    const padded = new Float32Array(size).fill(Infinity);
    padded.set(upper);
    const base = f * rows;
    for (let r = 0; r < rows; r++) {
      const v = x[r * cols + f];
      let lo = 0;
      for (let h = size >> 1; h > 0; h >>= 1) lo += +(v > padded[lo + h - 1]) * h;
      codes[base + r] = v === v ? lo : mb;
    }
  }
  return codes;
}
