import { randomUUID } from 'node:crypto';
import { runtimeError } from '../../../core/index.js';
import type { TreeArrays } from './tree.js';
import { createWasmForestWalk, type WasmForestWalk } from './wasm-forest-walk.js';

/**
 * Trees laid out for fast prediction on quantised features. Every split threshold of the forest is a
 * "cut" of its feature; a row's value `v` of feature `f` becomes its code, the index of the first cut
 * `>= v` (so `v <= cut[k]` ⇔ `code <= k`), and a node compares codes instead of floats: one 8-byte node
 * (`split`, `child`) and one byte of the row's code block per step. All arrays live in
 * `SharedArrayBuffer`s so worker threads read them without copies.
 */
export interface PackedForest {
  /**
   * Two int32 per node `i`: `nodes[2i]` = `feature << 16 | missingLeft << 15 | rank` (rank = the
   * threshold's cut index; leaves have the sign bit set, feature 0 and rank `0x7fff`), and
   * `nodes[2i + 1]` = `2 ×` the index of the left child (right = left + 1; a leaf points to itself, so
   * stepping from a leaf stays on it). One 8-byte load per step.
   */
  readonly nodes: Int32Array;
  /** Per node: the raw threshold (for rows with missing values, walked on raw features). */
  readonly threshold: Float32Array;
  /** Per node: the output of a leaf. */
  readonly value: Float32Array;
  /** Index of each tree's root. */
  readonly roots: Int32Array;
  /**
   * Cuts of feature `f`: `cuts[cutStart[f] …]`, ascending float32, padded with +∞ to `2 × cutSteps[f]`
   * entries (a power of two above the cut count) for a branch-free binary search.
   */
  readonly cuts: Float32Array;
  readonly cutStart: Int32Array;
  readonly cutSteps: Int32Array;
  /** Number of features (a row's width). */
  readonly cols: number;
  /** Codes need 16 bits (some feature has more than 255 cuts). */
  readonly wide: boolean;
  /** Identifies this packing across threads (a cache key for the WebAssembly walk; never part of a result). */
  readonly key: string;
}

const LEAF = 1 << 31;
const MISSING_LEFT = 1 << 15;
const RANK = 0x7fff;
const LEAF_SPLIT = LEAF | RANK;

/**
 * Packs trees (of one model; features `0 … cols - 1`) for `predictPacked`.
 *
 * @example
 * ```ts
 * const forest = packForest(trees, 12);
 * const { mean, spread } = predictPacked(forest, x, 12, 0, rows, { kind: 'mean', spread: true });
 * ```
 */
export function packForest(trees: readonly TreeArrays[], cols?: number): PackedForest {
  let total = 0;
  let width = cols ?? 0;
  for (const t of trees) {
    total += t.feature.length;
    for (const f of t.feature) if (f + 1 > width) width = f + 1;
  }
  // Distinct finite thresholds per feature (+∞ sends every finite value left: rank = number of cuts).
  const byFeature: number[][] = Array.from({ length: width }, () => []);
  for (const t of trees) for (let n = 0; n < t.feature.length; n++) if (t.feature[n] >= 0 && t.threshold[n] !== Infinity) byFeature[t.feature[n]].push(t.threshold[n]);
  const cutLists = byFeature.map((list) => Float32Array.from(new Set(list)).sort());
  const cutStart = new Int32Array(shared((width + 1) * 4));
  const cutSteps = new Int32Array(shared(width * 4));
  let nCuts = 0;
  let wide = false;
  cutLists.forEach((c, f) => {
    if (c.length >= RANK) throw runtimeError('too many distinct split thresholds on one feature to pack', { path: `feature ${f}`, expected: `< ${RANK}`, found: String(c.length) });
    let padded = 1;
    while (padded < c.length + 1) padded *= 2;
    cutStart[f] = nCuts;
    cutSteps[f] = padded >> 1;
    nCuts += padded;
    if (c.length > 255) wide = true;
  });
  cutStart[width] = nCuts;
  const cuts = new Float32Array(shared(nCuts * 4)).fill(Infinity);
  cutLists.forEach((c, f) => cuts.set(c, cutStart[f]));

  const nodes = new Int32Array(shared(total * 8));
  const threshold = new Float32Array(shared(total * 4));
  const value = new Float32Array(shared(total * 4));
  const roots = new Int32Array(shared(trees.length * 4));
  let at = 0;
  trees.forEach((t, i) => {
    roots[i] = at;
    for (let n = 0; n < t.feature.length; n++) {
      const o = at + n;
      const f = t.feature[n];
      value[o] = t.value[n];
      if (f < 0) {
        nodes[2 * o] = LEAF_SPLIT;
        nodes[2 * o + 1] = 2 * o;
        threshold[o] = Infinity;
        continue;
      }
      const thr = t.threshold[n];
      const list = cutLists[f];
      const rank = thr === Infinity ? list.length : lowerBound(list, thr);
      nodes[2 * o] = (f << 16) | (t.missingLeft[n] ? MISSING_LEFT : 0) | rank;
      nodes[2 * o + 1] = 2 * (at + t.left[n]);
      threshold[o] = thr;
    }
    at += t.feature.length;
  });
  return { nodes, threshold, value, roots, cuts, cutStart, cutSteps, cols: width, wide, key: randomUUID() };
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(4, bytes));
}

/** First index `k` with `v <= list[k]` (`list.length` when none). */
function lowerBound(list: Float32Array, v: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= list[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** How per-tree outputs combine: forest mean (with spread) or boosted sum plus a base score. */
export type Combine = { readonly kind: 'mean'; readonly spread: boolean } | { readonly kind: 'sum'; readonly base: number };

/** Rows per block: every tree walks a block of rows before the next tree, so its nodes stay in cache. */
const BLOCK = 4096;

/**
 * Predict rows `rowStart … rowEnd - 1` of a row-major matrix `x` (`cols` columns). Returns the
 * combined prediction (and, for a mean, the standard deviation across trees) for those rows. Each
 * row's trees are summed in tree order (float64), so results do not depend on how rows are split.
 */
export function predictPacked(
  forest: PackedForest,
  x: Float32Array,
  cols: number,
  rowStart: number,
  rowEnd: number,
  combine: Combine,
): { mean: Float32Array; spread?: Float32Array } {
  if (forest.cols > cols) throw runtimeError('the forest splits on more features than the rows have', { path: 'cols', expected: `≥ ${forest.cols}`, found: String(cols) });
  const nTrees = forest.roots.length;
  const n = rowEnd - rowStart;
  const mean = new Float32Array(n);
  const wantSpread = combine.kind === 'mean' && combine.spread;
  const spread = wantSpread ? new Float32Array(n) : undefined;
  const kernel = forest.wide ? null : wasmWalkFor(forest, cols);
  const sum = kernel ? kernel.sum : new Float64Array(BLOCK);
  const sq = kernel ? kernel.sq : new Float64Array(BLOCK);
  const missing = new Int32Array(BLOCK);
  const codes = kernel ? kernel.codes : forest.wide ? new Uint16Array(BLOCK * cols) : new Uint8Array(BLOCK * cols);
  const dense = kernel ? kernel.rows : new Int32Array(BLOCK);
  for (let b0 = 0; b0 < n; b0 += BLOCK) {
    const bn = Math.min(BLOCK, n - b0);
    const first = rowStart + b0;
    sum.fill(0);
    sq.fill(0);
    // Rows without missing values are walked on codes; the few others on raw values.
    const nMissing = quantise(forest, x, cols, first, bn, codes, missing);
    let nDense = 0;
    for (let i = 0, m = 0; i < bn; i++) {
      if (m < nMissing && missing[m] === i) m++;
      else dense[nDense++] = i;
    }
    for (let t = 0; t < nTrees; t++) {
      const root = forest.roots[t];
      if (kernel) kernel.walk(t, nDense);
      else if (codes instanceof Uint8Array) walkCodes8(forest.nodes, forest.value, root * 2, codes, cols, dense, nDense, sum, sq);
      else walkCodes16(forest.nodes, forest.value, root * 2, codes, cols, dense, nDense, sum, sq);
      for (let m = 0; m < nMissing; m++) walkRaw(forest, root, x, (first + missing[m]) * cols, missing[m], sum, sq);
    }
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

/** This thread's WebAssembly walks of the forests it predicted with last (a forest's nodes are copied in once). */
const walks = new Map<string, WasmForestWalk | null>();

function wasmWalkFor(forest: PackedForest, cols: number): WasmForestWalk | null {
  const key = `${forest.key}/${cols}`;
  let walk = walks.get(key);
  if (walk === undefined) {
    if (walks.size >= 2) walks.delete(walks.keys().next().value!);
    walk = createWasmForestWalk(forest.nodes, forest.value, forest.roots, BLOCK, cols);
    walks.set(key, walk);
  }
  return walk;
}

/**
 * Codes of a block of rows (row-major, `cols` per row); returns how many rows hold a missing value
 * and lists them (ascending) in `missing`.
 */
function quantise(forest: PackedForest, x: Float32Array, cols: number, first: number, bn: number, codes: Uint8Array | Uint16Array, missing: Int32Array): number {
  const { cuts, cutStart, cutSteps } = forest;
  // Features past the last one any tree splits on are never read (nor are their missing values).
  const width = Math.min(cols, forest.cols);
  let nMissing = 0;
  for (let i = 0; i < bn; i++) {
    const base = (first + i) * cols;
    let any = 0;
    for (let f = 0; f < width; f++) {
      const v = x[base + f];
      any |= +(v !== v);
      // Branch-free lower bound over the padded cuts: a fixed number of halvings per feature.
      const start = cutStart[f];
      let lo = 0;
      for (let h = cutSteps[f]; h > 0; h >>= 1) lo += +(v > cuts[start + lo + h - 1]) * h;
      codes[i * cols + f] = lo;
    }
    if (any !== 0) missing[nMissing++] = i;
  }
  return nMissing;
}

/**
 * Adds one tree's output for the listed rows of a code block to `sum`/`sq`. The child step is
 * branch-free (`left + (code > rank)`) and four rows walk in lockstep until all four sit at leaves
 * (which step to themselves), so their independent load chains overlap.
 */
function walkCodes8(nodes: Int32Array, value: Float32Array, root: number, codes: Uint8Array, cols: number, rows: Int32Array, nRows: number, sum: Float64Array, sq: Float64Array): void {
  let k = 0;
  for (; k + 4 <= nRows; k += 4) {
    const ra = rows[k];
    const rb = rows[k + 1];
    const rc = rows[k + 2];
    const rd = rows[k + 3];
    const a = ra * cols;
    const b = rb * cols;
    const c = rc * cols;
    const d = rd * cols;
    let oa = root;
    let ob = root;
    let oc = root;
    let od = root;
    let sa = nodes[root];
    let sb = sa;
    let sc = sa;
    let sd = sa;
    while ((sa & sb & sc & sd) >= 0) {
      oa = nodes[oa + 1] + ((((sa & RANK) - codes[a + ((sa >>> 16) & 0x7fff)]) >> 30) & 2);
      ob = nodes[ob + 1] + ((((sb & RANK) - codes[b + ((sb >>> 16) & 0x7fff)]) >> 30) & 2);
      oc = nodes[oc + 1] + ((((sc & RANK) - codes[c + ((sc >>> 16) & 0x7fff)]) >> 30) & 2);
      od = nodes[od + 1] + ((((sd & RANK) - codes[d + ((sd >>> 16) & 0x7fff)]) >> 30) & 2);
      sa = nodes[oa];
      sb = nodes[ob];
      sc = nodes[oc];
      sd = nodes[od];
    }
    const va = value[oa >> 1];
    const vb = value[ob >> 1];
    const vc = value[oc >> 1];
    const vd = value[od >> 1];
    sum[ra] += va;
    sum[rb] += vb;
    sum[rc] += vc;
    sum[rd] += vd;
    sq[ra] += va * va;
    sq[rb] += vb * vb;
    sq[rc] += vc * vc;
    sq[rd] += vd * vd;
  }
  for (; k < nRows; k++) {
    const r = rows[k];
    const a = r * cols;
    let o = root;
    let s = nodes[root];
    while (s >= 0) {
      o = nodes[o + 1] + ((((s & RANK) - codes[a + (s >>> 16)]) >> 30) & 2);
      s = nodes[o];
    }
    const v = value[o >> 1];
    sum[r] += v;
    sq[r] += v * v;
  }
}

/** `walkCodes8` for 16-bit codes (a copy, so each stays monomorphic). */
function walkCodes16(nodes: Int32Array, value: Float32Array, root: number, codes: Uint16Array, cols: number, rows: Int32Array, nRows: number, sum: Float64Array, sq: Float64Array): void {
  for (let k = 0; k < nRows; k++) {
    const r = rows[k];
    const a = r * cols;
    let o = root;
    let s = nodes[root];
    while (s >= 0) {
      o = nodes[o + 1] + ((((s & RANK) - codes[a + (s >>> 16)]) >> 30) & 2);
      s = nodes[o];
    }
    const v = value[o >> 1];
    sum[r] += v;
    sq[r] += v * v;
  }
}

/** One row with a missing value, on raw features: `NaN` follows the node's learnt direction. */
function walkRaw(forest: PackedForest, root: number, x: Float32Array, off: number, i: number, sum: Float64Array, sq: Float64Array): void {
  const { nodes, threshold } = forest;
  let o = root;
  let s = nodes[2 * o];
  while (s >= 0) {
    const v = x[off + (s >>> 16)];
    const l = nodes[2 * o + 1] >> 1;
    o = v <= threshold[o] ? l : v !== v && (s & MISSING_LEFT) !== 0 ? l : l + 1;
    s = nodes[2 * o];
  }
  const leaf = forest.value[o];
  sum[i] += leaf;
  sq[i] += leaf * leaf;
}
