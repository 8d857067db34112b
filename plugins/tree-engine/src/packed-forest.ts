import type { TreeArrays } from './tree.js';

/**
 * Trees interleaved for prediction: 4 int32 slots per node — feature (bit 16 set when missing values
 * go left, bit 17 for a leaf), threshold (float32 bits), left child, value (float32 bits) — so one node
 * is one 16-byte load. A leaf points to itself with threshold +∞, so stepping from it stays there. Held in a `SharedArrayBuffer` so worker threads read it without copies.
 */
export interface PackedForest {
  readonly nodes: Int32Array;
  /** Offset (in nodes) of each tree's root. */
  readonly roots: Int32Array;
}

const MISSING_LEFT = 0x10000;
/** Leaves are self-loops (threshold +∞, left = itself) flagged with this bit, so walks can step past them branch-free. */
const LEAF = 0x20000;

export function packForest(trees: readonly TreeArrays[]): PackedForest {
  let total = 0;
  for (const t of trees) total += t.feature.length;
  const buffer = new SharedArrayBuffer(total * 16);
  const ints = new Int32Array(buffer);
  const floats = new Float32Array(buffer);
  const roots = new Int32Array(new SharedArrayBuffer(Math.max(1, trees.length) * 4)).subarray(0, trees.length);
  let at = 0;
  trees.forEach((t, i) => {
    roots[i] = at;
    for (let n = 0; n < t.feature.length; n++) {
      const o = (at + n) * 4;
      const f = t.feature[n];
      ints[o] = f < 0 ? LEAF | MISSING_LEFT : f | (t.missingLeft[n] ? MISSING_LEFT : 0);
      floats[o + 1] = f < 0 ? Infinity : t.threshold[n];
      ints[o + 2] = f < 0 ? at + n : at + t.left[n];
      floats[o + 3] = t.value[n];
    }
    at += t.feature.length;
  });
  return { nodes: ints, roots };
}

/** How per-tree outputs combine: forest mean (with spread) or boosted sum plus a base score. */
export type Combine = { readonly kind: 'mean'; readonly spread: boolean } | { readonly kind: 'sum'; readonly base: number };

/** Rows per block: trees are walked for a block of rows at a time so a tree's nodes stay in cache. */
const BLOCK = 4096;

/**
 * Predict rows `rowStart … rowEnd - 1` of a row-major matrix `x` (`cols` columns). Returns the
 * combined prediction (and, for a mean, the standard deviation across trees) for those rows.
 */
export function predictPacked(
  forest: PackedForest,
  x: Float32Array,
  cols: number,
  rowStart: number,
  rowEnd: number,
  combine: Combine,
): { mean: Float32Array; spread?: Float32Array } {
  const ints = forest.nodes;
  const floats = new Float32Array(ints.buffer, ints.byteOffset, ints.length);
  const roots = forest.roots;
  const nTrees = roots.length;
  const n = rowEnd - rowStart;
  const mean = new Float32Array(n);
  const wantSpread = combine.kind === 'mean' && combine.spread;
  const spread = wantSpread ? new Float32Array(n) : undefined;
  const sum = new Float64Array(BLOCK);
  const sq = new Float64Array(BLOCK);
  const hasMissing = new Uint8Array(BLOCK);
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const bn = Math.min(BLOCK, n - b0);
    const first = rowStart + b0;
    sum.fill(0);
    sq.fill(0);
    markMissing(x, cols, first, bn, hasMissing);
    for (let t = 0; t < nTrees; t++) walkTree(ints, floats, roots[t] * 4, x, cols, first, bn, hasMissing, sum, sq);
    for (let i = 0; i < bn; i++) {
      if (combine.kind === 'sum') mean[b0 + i] = combine.base + sum[i];
      else {
        const m = sum[i] / nTrees;
        mean[b0 + i] = m;
        if (spread) spread[b0 + i] = Math.sqrt(Math.max(0, sq[i] / nTrees - m * m));
      }
    }
  }
  return spread ? { mean, spread } : { mean };
}

/** Flags the rows of a block that hold a missing value (they take the slower, missing-aware walk). */
function markMissing(x: Float32Array, cols: number, first: number, bn: number, out: Uint8Array): void {
  for (let i = 0; i < bn; i++) {
    let any = 0;
    for (let k = (first + i) * cols, e = k + cols; k < e; k++) if (x[k] !== x[k]) any = 1;
    out[i] = any;
  }
}

/**
 * Adds one tree's output for a block of rows to `sum`/`sq`. The step to a child is branch-free
 * (`left + (v > threshold)`), and rows without missing values are walked four at a time, in lockstep
 * until all four sit at leaves (which loop to themselves), so their independent load chains overlap; rows with a missing value take the missing-aware walk.
 */
function walkTree(ints: Int32Array, floats: Float32Array, root: number, x: Float32Array, cols: number, first: number, bn: number, hasMissing: Uint8Array, sum: Float64Array, sq: Float64Array): void {
  let i = 0;
  for (; i + 4 <= bn; i += 4) {
    if ((hasMissing[i] | hasMissing[i + 1] | hasMissing[i + 2] | hasMissing[i + 3]) !== 0) {
      for (let k = i; k < i + 4; k++) walkOne(ints, floats, root, x, (first + k) * cols, hasMissing[k], sum, sq, k);
      continue;
    }
    const a = (first + i) * cols;
    const b = a + cols;
    const c = b + cols;
    const d = c + cols;
    let oa = root;
    let ob = root;
    let oc = root;
    let od = root;
    let fa = ints[oa];
    let fb = fa;
    let fc = fa;
    let fd = fa;
    while ((fa & fb & fc & fd & LEAF) === 0) {
      oa = (ints[oa + 2] + (x[a + (fa & 0xffff)] > floats[oa + 1] ? 1 : 0)) << 2;
      ob = (ints[ob + 2] + (x[b + (fb & 0xffff)] > floats[ob + 1] ? 1 : 0)) << 2;
      oc = (ints[oc + 2] + (x[c + (fc & 0xffff)] > floats[oc + 1] ? 1 : 0)) << 2;
      od = (ints[od + 2] + (x[d + (fd & 0xffff)] > floats[od + 1] ? 1 : 0)) << 2;
      fa = ints[oa];
      fb = ints[ob];
      fc = ints[oc];
      fd = ints[od];
    }
    const va = floats[oa + 3];
    const vb = floats[ob + 3];
    const vc = floats[oc + 3];
    const vd = floats[od + 3];
    sum[i] += va;
    sum[i + 1] += vb;
    sum[i + 2] += vc;
    sum[i + 3] += vd;
    sq[i] += va * va;
    sq[i + 1] += vb * vb;
    sq[i + 2] += vc * vc;
    sq[i + 3] += vd * vd;
  }
  for (; i < bn; i++) walkOne(ints, floats, root, x, (first + i) * cols, hasMissing[i], sum, sq, i);
}

function walkOne(ints: Int32Array, floats: Float32Array, root: number, x: Float32Array, off: number, missing: number, sum: Float64Array, sq: Float64Array, i: number): void {
  let o = root;
  let f = ints[o];
  if (missing === 0) {
    while ((f & LEAF) === 0) {
      o = (ints[o + 2] + (x[off + (f & 0xffff)] > floats[o + 1] ? 1 : 0)) << 2;
      f = ints[o];
    }
  } else {
    while ((f & LEAF) === 0) {
      const v = x[off + (f & 0xffff)];
      const l = ints[o + 2];
      o = (v <= floats[o + 1] ? l : v !== v && (f & MISSING_LEFT) !== 0 ? l : l + 1) << 2;
      f = ints[o];
    }
  }
  const leaf = floats[o + 3];
  sum[i] += leaf;
  sq[i] += leaf * leaf;
}
