import type { Rng } from '../../../core/index.js';
import type { BinCodes } from './binning.js';
import type { TreeArrays } from './tree.js';
import { NodeTable } from './node-table.js';
import { createHistogramMemory, type HistogramMemory } from './wasm-histogram.js';

/** The binned training matrix a tree grows on (shared by all trees of a model). */
export interface BinnedMatrix {
  /** Column-major bin codes, `codes[f * rows + r]`. */
  readonly codes: BinCodes;
  readonly rows: number;
  readonly cols: number;
  /** Bin code of missing values; value bins are `0 … missingBin - 1`. */
  readonly missingBin: number;
  /** Per-feature upper bin edges (see `BinEdges.upper`): a split after bin `b` has threshold `upper[f][b]`. */
  readonly upper: readonly Float32Array[];
}

/** How a tree grows. Random forests grow depth-first to purity; boosting grows best-first to `maxLeaves`. */
export interface GrowOptions {
  /** Minimum number of (distinct) sample rows in a leaf, at least 1. */
  readonly minLeaf: number;
  /** Maximum depth (root = 0); `Infinity` for none. */
  readonly maxDepth: number;
  /** Maximum number of leaves; `Infinity` for none. */
  readonly maxLeaves: number;
  /** L2 penalty on leaf values (`value = S / (W + lambda)`); 0 gives the weighted mean. */
  readonly lambda: number;
  /** A split is made only when its gain (decrease of weighted squared error) exceeds this. */
  readonly minGain: number;
  /** Features drawn at random for each split (sklearn's `max_features`, R's `mtry`); ≥ usable features means all. */
  readonly featuresPerSplit: number;
  /** Order nodes are expanded in; matters only when `maxLeaves` is finite. */
  readonly order: 'depth-first' | 'best-first' | 'breadth-first';
  /** Factor applied to leaf values (the learning rate in boosting). */
  readonly leafScale: number;
}

/** The sample one tree grows on. */
export interface GrowSample {
  /** Row ids of the sample (distinct); partitioned in place so each leaf owns a contiguous range. */
  readonly indices: Int32Array;
  /** Per-row weight (bootstrap count × user weight), or null for 1. Indexed by row id. */
  readonly weight: Float64Array | null;
  /** Per-row `weight × target`, indexed by row id. */
  readonly weightedTarget: Float64Array;
  /** Features the tree may use (1 = usable); all when absent. */
  readonly featureMask?: Uint8Array;
  /** Draws the per-split features; required when `featuresPerSplit` is below the usable features. */
  readonly rng?: Rng;
}

export interface GrownTree {
  readonly tree: TreeArrays;
  /** Sum over the tree's splits of the weighted squared-error decrease, by feature (impurity importance, unnormalised). */
  readonly gainByFeature: Float64Array;
  /** `(node, start, end)` triples: the range of `sample.indices` each leaf holds after growth. */
  readonly leafRanges: Int32Array;
}

/** Below this many rows a node's split search sorts bin codes instead of filling a full histogram. */
const SORT_THRESHOLD = 24;

/**
 * Grows regression trees on binned features with histogram split search (sum of weights and of
 * weighted targets per bin). One grower serves random forests (per-split feature sampling,
 * depth-first, grown to purity) and gradient boosting (all features, best-first to a leaf budget,
 * histogram subtraction between siblings). Scratch memory is reused across trees.
 *
 * Missing values (`missingBin`) are sent to whichever side gives the larger gain at each split;
 * when a node had no missing values in training they follow the larger child.
 *
 * @example
 * ```ts
 * const grower = new TreeGrower(matrix);
 * const { tree } = grower.grow({ indices, weight: null, weightedTarget: y64 }, options);
 * ```
 */
export class TreeGrower {
  private readonly m: BinnedMatrix;
  private readonly nBins: number;
  private readonly histSize: number;
  private readonly histPool: Float64Array[] = [];
  private readonly featureHist: Float64Array;
  private readonly keys = new Int32Array(SORT_THRESHOLD);
  private readonly order: Int32Array;
  /** Per-position weights and weighted targets of the sample being grown (in the kernel's memory when there is one). */
  private readonly pwBuffer: Float64Array;
  private readonly pwyBuffer: Float64Array;
  /** The WebAssembly histogram kernel's memory (`null`: the JS loops, same bytes). */
  private readonly kernel: HistogramMemory | null;

  constructor(matrix: BinnedMatrix, options: { readonly wasm?: boolean } = {}) {
    this.m = matrix;
    this.nBins = matrix.missingBin + 1;
    this.histSize = matrix.cols * this.nBins * 3;
    const nb3 = this.nBins * 3;
    this.kernel = options.wasm === false ? null : createHistogramMemory(matrix.codes, matrix.rows, matrix.cols, nb3);
    this.featureHist = this.kernel ? this.kernel.scratch.subarray(matrix.cols * nb3) : new Float64Array(nb3);
    this.pwBuffer = this.kernel ? this.kernel.weight : new Float64Array(matrix.rows);
    this.pwyBuffer = this.kernel ? this.kernel.weightedTarget : new Float64Array(matrix.rows);
    this.order = new Int32Array(matrix.cols);
  }

  grow(sample: GrowSample, options: GrowOptions): GrownTree {
    const m = this.m;
    const kernel = this.kernel;
    const { weightedTarget: wy } = sample;
    const nb3 = this.nBins * 3;
    // The kernel reads row ids from its own memory: grow on a copy there, copied back at the end.
    const indices = kernel ? kernel.indices.subarray(0, sample.indices.length) : sample.indices;
    if (kernel) indices.set(sample.indices);
    // Weights and weighted targets in sample order, permuted along with `indices`: the hot loops then
    // read them sequentially and only the bin code is a random access.
    const pw = this.pwBuffer.subarray(0, indices.length);
    const pwy = this.pwyBuffer.subarray(0, indices.length);
    for (let j = 0; j < indices.length; j++) {
      const r = indices[j];
      pw[j] = sample.weight ? sample.weight[r] : 1;
      pwy[j] = wy[r];
    }
    const minLeaf = Math.max(1, Math.floor(options.minLeaf));
    const lambda = options.lambda;
    const count = indices.length;
    const usable: number[] = [];
    for (let f = 0; f < m.cols; f++) if (!sample.featureMask || sample.featureMask[f]) usable.push(f);
    const sampled = options.featuresPerSplit < usable.length;
    if (sampled && !sample.rng) throw new Error('TreeGrower: featuresPerSplit below the feature count needs an rng');
    const leafCap = Math.min(options.maxLeaves, Math.floor(count / minLeaf) + 1);
    const cap = Math.max(1, 2 * Math.min(leafCap, count) - 1);

    const t = new NodeTable(cap);
    const { value } = t.out;
    const { depth: nDepth, cnt: nCnt, w: nW, s: nS, bFeature, bBin, bMiss, bGain, bLCnt, bLW, bLS } = t;
    // Each node's range of positions in `indices`, and its histogram in the pool (-1: none).
    const nStart = new Int32Array(cap);
    const nEnd = new Int32Array(cap);
    const nHist = new Int32Array(cap).fill(-1);
    const gainByFeature = new Float64Array(m.cols);
    const leafRanges: number[] = [];

    const histPool = this.histPool;
    // Every pooled histogram is free when a tree starts: the pool only grows to the most ever open at once.
    const freeHists: number[] = histPool.map((_, i) => i);
    const takeHist = (): number => {
      if (freeHists.length) return freeHists.pop()!;
      histPool.push(new Float64Array(this.histSize));
      return histPool.length - 1;
    };
    const releaseHist = (node: number): void => {
      if (nHist[node] >= 0) freeHists.push(nHist[node]);
      nHist[node] = -1;
    };

    // Root statistics.
    let c0 = 0;
    let w0 = 0;
    let s0 = 0;
    for (let j = 0; j < count; j++) {
      c0++;
      w0 += pw[j];
      s0 += pwy[j];
    }
    nStart[0] = 0;
    nEnd[0] = count;
    nCnt[0] = c0;
    nW[0] = w0;
    nS[0] = s0;

    const evaluate = (node: number): void => {
      bFeature[node] = -1;
      bGain[node] = -Infinity;
      if (nCnt[node] < 2 * minLeaf || nDepth[node] >= options.maxDepth) {
        releaseHist(node);
        return;
      }
      const best = { score: -Infinity, feature: -1, bin: 0, miss: 0, lCnt: 0, lW: 0, lS: 0 };
      const parentScore = (nS[node] * nS[node]) / (nW[node] + lambda);
      if (!sampled) {
        const h = histPool[nHist[node]];
        for (const f of usable) scanHistogram(h, f * nb3, m.missingBin, f, nCnt[node], nW[node], nS[node], minLeaf, lambda, best);
      } else {
        // sklearn-style: draw features without replacement until `featuresPerSplit` non-constant ones were searched.
        const order = this.order;
        for (let k = 0; k < usable.length; k++) order[k] = usable[k];
        let visited = 0;
        const rng = sample.rng!;
        for (let k = 0; k < usable.length && visited < options.featuresPerSplit; k++) {
          const j = k + rng.int(usable.length - k);
          const f = order[j];
          order[j] = order[k];
          order[k] = f;
          const varies = searchFeature(m.codes, m.rows, m.missingBin, this.featureHist, this.keys, nStart[node], nEnd[node], indices, pw, pwy, f, nCnt[node], nW[node], nS[node], minLeaf, lambda, best, kernel);
          if (varies) visited++;
        }
      }
      const gain = best.score - parentScore;
      if (best.feature >= 0 && gain > options.minGain && gain > 1e-12 * Math.abs(parentScore)) {
        bFeature[node] = best.feature;
        bBin[node] = best.bin;
        bMiss[node] = best.miss;
        bGain[node] = gain;
        bLCnt[node] = best.lCnt;
        bLW[node] = best.lW;
        bLS[node] = best.lS;
      } else releaseHist(node);
    };

    const finishLeaf = (node: number): void => {
      releaseHist(node);
      leafRanges.push(node, nStart[node], nEnd[node]);
    };

    if (!sampled) {
      nHist[0] = takeHist();
      buildHistogram(m.codes, m.rows, nb3, histPool[nHist[0]], 0, count, indices, pw, pwy, usable, sample.weight === null, kernel);
    }
    evaluate(0);
    t.push(0);

    for (let node = t.next(options.order); node >= 0; node = t.next(options.order)) {
      const f = bFeature[node];
      value[node] = (nS[node] / (nW[node] + lambda)) * options.leafScale;
      if (f < 0 || t.leaves >= options.maxLeaves || t.nodes + 2 > cap) {
        finishLeaf(node);
        continue;
      }
      gainByFeature[f] += bGain[node];
      const l = t.split(node, m.upper);
      const r = l + 1;
      const b = bBin[node];
      const missLeft = t.out.missingLeft[node];
      const mid = kernel ? kernel.partition(f, nStart[node], nEnd[node], b, missLeft) : partition(m.codes, m.rows, m.missingBin, nStart[node], nEnd[node], indices, pw, pwy, f, b, missLeft);
      nStart[l] = nStart[node];
      nEnd[l] = mid;
      nStart[r] = mid;
      nEnd[r] = nEnd[node];
      const childrenMaySplit = nDepth[l] < options.maxDepth && t.leaves < options.maxLeaves;
      if (!sampled && childrenMaySplit) {
        // Histogram subtraction: scan the smaller child, derive the larger from the parent in place.
        const parentHist = nHist[node];
        nHist[node] = -1;
        const small = nCnt[l] <= nCnt[r] ? l : r;
        const large = small === l ? r : l;
        const hs = takeHist();
        nHist[small] = hs;
        nHist[large] = parentHist;
        const hSmall = histPool[hs];
        buildHistogram(m.codes, m.rows, nb3, hSmall, nStart[small], nEnd[small], indices, pw, pwy, usable, sample.weight === null, kernel);
        const hLarge = histPool[parentHist];
        for (const g of usable) subtractInto(hLarge, hSmall, g * nb3, nb3);
      } else releaseHist(node);
      if (childrenMaySplit) {
        evaluate(l);
        evaluate(r);
      }
      // Depth-first pops the last entry: push right first so the left subtree is grown first.
      t.push(r);
      t.push(l);
    }

    if (kernel) sample.indices.set(indices);
    return {
      tree: t.tree(),
      gainByFeature,
      leafRanges: Int32Array.from(leafRanges),
    };
  }

}

/** The best split found so far (scores compared strictly, so ties keep the first found). */
export interface Best {
  score: number;
  feature: number;
  bin: number;
  miss: number;
  lCnt: number;
  lW: number;
  lS: number;
}


function buildHistogram(codes: BinCodes, rows: number, nb3: number, h: Float64Array, start: number, end: number, indices: Int32Array, weight: Float64Array, wy: Float64Array, features: readonly number[], unitWeights: boolean, kernel: HistogramMemory | null): void {
  for (const f of features) {
    const base = f * nb3;
    if (kernel) {
      // The kernel accumulates in its own memory; the pool's histogram takes a copy.
      kernel.scratch.fill(0, base, base + nb3);
      kernel.accumulate(f, start, end, unitWeights, base);
      h.set(kernel.scratch.subarray(base, base + nb3), base);
    } else {
      h.fill(0, base, base + nb3);
      if (unitWeights) accumulateUnit(codes, f * rows, h, base, start, end, indices, wy);
      else accumulate(codes, f * rows, h, base, start, end, indices, weight, wy);
    }
    // Unit weights: Σw is the count, so the row loop skips it and it is copied per bin here.
    if (unitWeights) for (let k = base; k < base + nb3; k += 3) h[k + 1] = h[k];
  }
}

export function accumulateUnit(codes: BinCodes, col: number, h: Float64Array, base: number, start: number, end: number, indices: Int32Array, wy: Float64Array): void {
  for (let j = start; j < end; j++) {
    const k = base + codes[col + indices[j]] * 3;
    h[k] += 1;
    h[k + 2] += wy[j];
  }
}

export function accumulate(codes: BinCodes, col: number, h: Float64Array, base: number, start: number, end: number, indices: Int32Array, weight: Float64Array, wy: Float64Array): void {
  for (let j = start; j < end; j++) {
    const k = base + codes[col + indices[j]] * 3;
    h[k] += 1;
    h[k + 1] += weight[j];
    h[k + 2] += wy[j];
  }
}

function subtractInto(a: Float64Array, b: Float64Array, off: number, len: number): void {
  for (let k = off, e = off + len; k < e; k++) a[k] -= b[k];
}

/** Best split of feature `f` from its histogram at `h[off…]`; returns whether the feature varies in the node. */
export function scanHistogram(h: Float64Array, off: number, mb: number, f: number, tC: number, tW: number, tS: number, minLeaf: number, lambda: number, best: Best): boolean {
  const mo = off + mb * 3;
  const mC = h[mo];
  const mW = h[mo + 1];
  const mS = h[mo + 2];
  const missDefault = mC > 0 ? 0 : 2;
  let nonEmpty = mC > 0 ? 1 : 0;
  let aC = 0;
  let aW = 0;
  let aS = 0;
  for (let b = 0; b < mb; b++) {
    const k = off + b * 3;
    const c = h[k];
    if (c === 0) continue;
    nonEmpty++;
    aC += c;
    aW += h[k + 1];
    aS += h[k + 2];
    consider(best, f, b, missDefault, aC, aW, aS, tC, tW, tS, minLeaf, lambda);
    if (mC > 0) consider(best, f, b, 1, aC + mC, aW + mW, aS + mS, tC, tW, tS, minLeaf, lambda);
  }
  return nonEmpty > 1;
}

/** Best split of feature `f` over rows `indices[start…end)`: a histogram for big nodes, a sort for small ones. */
function searchFeature(codes: BinCodes, rows: number, mb: number, h: Float64Array, keys: Int32Array, start: number, end: number, indices: Int32Array, weight: Float64Array, wy: Float64Array, f: number, tC: number, tW: number, tS: number, minLeaf: number, lambda: number, best: Best, kernel: HistogramMemory | null): boolean {
  const n = end - start;
  const col = f * rows;
  if (n >= SORT_THRESHOLD) {
    // `h` is all zeros between calls; small nodes clear just the bins they touched.
    if (kernel) kernel.accumulate(f, start, end, false, kernel.scratch.length - h.length); // `h` is the kernel's last scratch region
    else accumulate(codes, col, h, 0, start, end, indices, weight, wy);
    const varies = scanHistogram(h, 0, mb, f, tC, tW, tS, minLeaf, lambda, best);
    if (n * 3 >= h.length) h.fill(0);
    else for (let j = start; j < end; j++) {
      const k = codes[col + indices[j]] * 3;
      h[k] = 0;
      h[k + 1] = 0;
      h[k + 2] = 0;
    }
    return varies;
  }
  return searchSorted(codes, col, mb, keys, start, n, indices, weight, wy, f, tC, tW, tS, minLeaf, lambda, best);
}

/** Small nodes: insertion-sort (code, position) keys, cheaper than clearing and scanning a histogram. */
function searchSorted(codes: BinCodes, col: number, mb: number, keys: Int32Array, start: number, n: number, indices: Int32Array, weight: Float64Array, wy: Float64Array, f: number, tC: number, tW: number, tS: number, minLeaf: number, lambda: number, best: Best): boolean {
  for (let j = 0; j < n; j++) {
    const key = (codes[col + indices[start + j]] << 16) | j;
    let k = j - 1;
    while (k >= 0 && keys[k] > key) {
      keys[k + 1] = keys[k];
      k--;
    }
    keys[k + 1] = key;
  }
  if (keys[0] >>> 16 === keys[n - 1] >>> 16) return false;
  // Missing values sort last.
  let mC = 0;
  let mW = 0;
  let mS = 0;
  let valueEnd = n;
  while (valueEnd > 0 && keys[valueEnd - 1] >>> 16 === mb) {
    const p = start + (keys[valueEnd - 1] & 0xffff);
    mC++;
    mW += weight[p];
    mS += wy[p];
    valueEnd--;
  }
  const missDefault = mC > 0 ? 0 : 2;
  let aC = 0;
  let aW = 0;
  let aS = 0;
  for (let k = 0; k < valueEnd; k++) {
    const p = start + (keys[k] & 0xffff);
    aC++;
    aW += weight[p];
    aS += wy[p];
    const code = keys[k] >>> 16;
    if (k + 1 < valueEnd && keys[k + 1] >>> 16 === code) continue;
    consider(best, f, code, missDefault, aC, aW, aS, tC, tW, tS, minLeaf, lambda);
    if (mC > 0) consider(best, f, code, 1, aC + mC, aW + mW, aS + mS, tC, tW, tS, minLeaf, lambda);
  }
  return true;
}

/** Reorder `indices[start…end)` so rows going left come first; returns the boundary. */
export function partition(codes: BinCodes, rows: number, mb: number, start: number, end: number, indices: Int32Array, pw: Float64Array, pwy: Float64Array, f: number, b: number, missLeft: number): number {
  const col = f * rows;
  let i = start;
  let j = end - 1;
  for (;;) {
    while (i <= j && goesLeft(codes[col + indices[i]], b, mb, missLeft)) i++;
    while (i <= j && !goesLeft(codes[col + indices[j]], b, mb, missLeft)) j--;
    if (i >= j) break;
    const t = indices[i];
    indices[i] = indices[j];
    indices[j] = t;
    const w = pw[i];
    pw[i] = pw[j];
    pw[j] = w;
    const v = pwy[i];
    pwy[i] = pwy[j];
    pwy[j] = v;
    i++;
    j--;
  }
  return i;
}

function goesLeft(code: number, b: number, mb: number, missLeft: number): boolean {
  return code === mb ? missLeft === 1 : code <= b;
}

function consider(best: Best, f: number, b: number, miss: number, lC: number, lW: number, lS: number, tC: number, tW: number, tS: number, minLeaf: number, lambda: number): void {
  const rC = tC - lC;
  if (lC < minLeaf || rC < minLeaf) return;
  const rW = tW - lW;
  const rS = tS - lS;
  const score = (lS * lS) / (lW + lambda) + (rS * rS) / (rW + lambda);
  if (score > best.score) {
    best.score = score;
    best.feature = f;
    best.bin = b;
    best.miss = miss;
    best.lCnt = lC;
    best.lW = lW;
    best.lS = lS;
  }
}
