import { createRng } from '../../../core/index.js';
import { TreeGrower, type BinnedMatrix } from './grow-tree.js';
import { predictBinned, type TreeArrays } from './tree.js';

/** Random-forest settings for one block of trees (all counts already resolved). */
export interface ForestChunkOptions {
  readonly seed: number;
  readonly treeStart: number;
  readonly treeEnd: number;
  readonly minLeaf: number;
  readonly maxDepth: number;
  readonly featuresPerSplit: number;
  readonly bootstrap: boolean;
  /** Rows drawn per tree (with replacement when bootstrapping, without otherwise). */
  readonly samplesPerTree: number;
  /** Compute per-tree permutation deltas on the out-of-bag rows (R's %IncMSE). */
  readonly permutation: boolean;
}

/** What a block of trees returns; combined in block order so results never depend on thread count. */
export interface ForestChunkResult {
  readonly trees: TreeArrays[];
  /** `gain[t * cols + f]`: impurity decrease of tree `t` (in the block) on feature `f`, normalised to sum 1 per tree. */
  readonly gain: Float64Array;
  /** Sum of out-of-bag predictions per training row, and how many trees contributed. */
  readonly oobSum: Float64Array;
  readonly oobCount: Uint16Array;
  /** `delta[t * cols + f]`: increase of the tree's OOB MSE when feature `f` is permuted among its OOB rows. */
  readonly permutationDelta?: Float64Array;
}

/**
 * Grows trees `treeStart … treeEnd - 1` of a random forest. Tree `t` draws from `createRng(seed).fork(t)`
 * only, so a tree is the same whichever block or thread grows it.
 */
export function growForestChunk(matrix: BinnedMatrix, y: Float32Array, userWeight: Float32Array | null, o: ForestChunkOptions): ForestChunkResult {
  const { rows, cols } = matrix;
  const grower = new TreeGrower(matrix);
  const base = createRng(o.seed);
  const n = o.treeEnd - o.treeStart;
  const trees: TreeArrays[] = [];
  const gain = new Float64Array(n * cols);
  const oobSum = new Float64Array(rows);
  const oobCount = new Uint16Array(rows);
  const permutationDelta = o.permutation ? new Float64Array(n * cols) : undefined;
  const counts = new Int32Array(rows);
  const weight = new Float64Array(rows);
  const wy = new Float64Array(rows);
  const oob = new Int32Array(rows);
  const oobPred = new Float64Array(rows);

  for (let t = 0; t < n; t++) {
    const rng = base.fork(o.treeStart + t);
    counts.fill(0);
    if (o.bootstrap) {
      for (let k = 0; k < o.samplesPerTree; k++) counts[rng.int(rows)]++;
    } else if (o.samplesPerTree >= rows) {
      counts.fill(1);
    } else {
      // Partial Fisher–Yates over row ids: a subsample without replacement.
      const ids = new Int32Array(rows);
      for (let i = 0; i < rows; i++) ids[i] = i;
      for (let i = 0; i < o.samplesPerTree; i++) {
        const j = i + rng.int(rows - i);
        const tmp = ids[i];
        ids[i] = ids[j];
        ids[j] = tmp;
        counts[ids[i]] = 1;
      }
    }
    let inBag = 0;
    let nOob = 0;
    for (let r = 0; r < rows; r++) if (counts[r] > 0) inBag++;
    const indices = new Int32Array(inBag);
    inBag = 0;
    for (let r = 0; r < rows; r++) {
      const c = counts[r];
      if (c > 0) {
        indices[inBag++] = r;
        const w = userWeight ? c * userWeight[r] : c;
        weight[r] = w;
        wy[r] = w * y[r];
      } else oob[nOob++] = r;
    }
    const grown = grower.grow(
      { indices, weight, weightedTarget: wy, rng },
      { minLeaf: o.minLeaf, maxDepth: o.maxDepth, maxLeaves: Infinity, lambda: 0, minGain: 0, featuresPerSplit: o.featuresPerSplit, order: 'depth-first', leafScale: 1 },
    );
    trees.push(grown.tree);
    let total = 0;
    for (let f = 0; f < cols; f++) total += grown.gainByFeature[f];
    if (total > 0) for (let f = 0; f < cols; f++) gain[t * cols + f] = grown.gainByFeature[f] / total;

    // Out-of-bag predictions, on bin codes (same routing as raw thresholds).
    let mse = 0;
    for (let k = 0; k < nOob; k++) {
      const r = oob[k];
      const p = predictBinned(grown.tree, matrix.codes, rows, r, matrix.missingBin);
      oobPred[k] = p;
      oobSum[r] += p;
      oobCount[r]++;
      mse += (p - y[r]) * (p - y[r]);
    }
    if (permutationDelta && nOob > 0) {
      mse /= nOob;
      const perm = new Int32Array(nOob);
      for (let f = 0; f < cols; f++) {
        for (let k = 0; k < nOob; k++) perm[k] = oob[k];
        rng.shuffle(perm);
        let msePerm = 0;
        for (let k = 0; k < nOob; k++) {
          const p = predictPermuted(grown.tree, matrix, oob[k], f, perm[k]);
          msePerm += (p - y[oob[k]]) * (p - y[oob[k]]);
        }
        permutationDelta[t * cols + f] = msePerm / nOob - mse;
      }
    }
  }
  return { trees, gain, oobSum, oobCount, permutationDelta };
}

/** Prediction for row `r` with feature `pf` taken from row `donor` instead. */
function predictPermuted(tree: TreeArrays, m: BinnedMatrix, r: number, pf: number, donor: number): number {
  const { feature, bin, left, missingLeft, value } = tree;
  const { codes, rows, missingBin } = m;
  let n = 0;
  let f = feature[0];
  while (f >= 0) {
    const c = codes[f * rows + (f === pf ? donor : r)];
    const l = left[n];
    n = c === missingBin ? (missingLeft[n] ? l : l + 1) : c <= bin[n] ? l : l + 1;
    f = feature[n];
  }
  return value[n];
}
