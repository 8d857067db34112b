import type { ProgressReporter, WorkerPool } from '../../../core/index.js';
import { binColumns, computeBinEdges, type BinEdges } from './binning.js';
import type { ForestChunkOptions, ForestChunkResult } from './forest-chunk.js';
import type { BinnedMatrix } from './grow-tree.js';
import type { TreeArrays } from './tree.js';

import { forestChunkTask } from './kernels.js';
/** Trees per worker task. Fixed (not derived from the thread count) so sums combine in the same order on any pool. */
const TREES_PER_TASK = 5;

export interface ForestOptions {
  readonly trees: number;
  readonly minLeaf: number;
  /** `Infinity` for none. */
  readonly maxDepth: number;
  /** Features searched per split (resolved count, 1 … columns). */
  readonly featuresPerSplit: number;
  readonly bootstrap: boolean;
  /** Rows drawn per tree (resolved count). */
  readonly samplesPerTree: number;
  readonly permutationImportance: boolean;
  readonly maxBins: number;
  readonly seed: number;
}

/** A fitted forest and its out-of-bag statistics. */
export interface ForestFit {
  readonly trees: TreeArrays[];
  readonly edges: BinEdges;
  /** Mean decrease in impurity per feature (per-tree normalised, averaged, normalised to sum 1 — as scikit-learn). */
  readonly impurity: Float64Array;
  /** R²/MSE of out-of-bag predictions over rows that were out of bag at least once (NaN if none). */
  readonly oobR2: number;
  readonly oobMse: number;
  readonly oobRows: number;
  /** Permutation importance (R's randomForest `%IncMSE`), when asked for. */
  readonly permutation?: { readonly meanIncrease: Float64Array; readonly standardError: Float64Array; readonly incMse: Float64Array };
}

/**
 * Fits a random forest on a row-major matrix: bins the features once into shared memory, then grows
 * blocks of trees on the worker pool. Tree `t` uses only `createRng(seed).fork(t)`, and blocks combine
 * in a fixed order, so the same seed gives the same bytes with any number of threads.
 *
 * @example
 * ```ts
 * const fit = await fitForest(table.x, table.y!, null, table.rows, 12, { trees: 150, minLeaf: 5, … }, context.workers);
 * ```
 */
export async function fitForest(
  x: Float32Array,
  y: Float32Array,
  weight: Float32Array | null,
  rows: number,
  cols: number,
  options: ForestOptions,
  workers: WorkerPool,
  progress?: ProgressReporter,
): Promise<ForestFit> {
  const edges = computeBinEdges(x, rows, cols, { maxBins: options.maxBins, seed: options.seed });
  const codes = binColumns(x, rows, cols, edges, workers.size > 1);
  const matrix: BinnedMatrix = { codes, rows, cols, missingBin: edges.missingBin, upper: edges.upper };
  const ySh = toShared(y.subarray(0, rows), workers.size > 1);
  const wSh = weight ? toShared(weight.subarray(0, rows), workers.size > 1) : null;
  const task = progress?.start('random forest trees', options.trees);
  const jobs: Promise<ForestChunkResult>[] = [];
  for (let t0 = 0; t0 < options.trees; t0 += TREES_PER_TASK) {
    const chunk: ForestChunkOptions = {
      seed: options.seed,
      treeStart: t0,
      treeEnd: Math.min(options.trees, t0 + TREES_PER_TASK),
      minLeaf: options.minLeaf,
      maxDepth: options.maxDepth,
      featuresPerSplit: options.featuresPerSplit,
      bootstrap: options.bootstrap,
      samplesPerTree: options.samplesPerTree,
      permutation: options.permutationImportance,
    };
    jobs.push(
      workers.run(forestChunkTask, [matrix, ySh, wSh, chunk]).then((r) => {
        task?.tick(chunk.treeEnd - chunk.treeStart);
        return r;
      }),
    );
  }
  const chunks = await Promise.all(jobs);
  task?.done();

  const trees: TreeArrays[] = [];
  const nTrees = options.trees;
  const impurity = new Float64Array(cols);
  const oobSum = new Float64Array(rows);
  const oobCount = new Float64Array(rows);
  const deltas: Float64Array[] = [];
  for (const c of chunks) {
    trees.push(...c.trees);
    for (let k = 0; k < c.gain.length; k++) impurity[k % cols] += c.gain[k];
    for (let r = 0; r < rows; r++) {
      oobSum[r] += c.oobSum[r];
      oobCount[r] += c.oobCount[r];
    }
    if (c.permutationDelta) deltas.push(c.permutationDelta);
  }
  normalise(impurity);

  // Out-of-bag R² over rows with at least one OOB prediction (as scikit-learn's oob_score_).
  let n = 0;
  let mean = 0;
  for (let r = 0; r < rows; r++) if (oobCount[r] > 0) { n++; mean += y[r]; }
  mean /= n || 1;
  let sse = 0;
  let sst = 0;
  for (let r = 0; r < rows; r++) {
    if (oobCount[r] === 0) continue;
    const e = oobSum[r] / oobCount[r] - y[r];
    sse += e * e;
    sst += (y[r] - mean) * (y[r] - mean);
  }
  const oobMse = n > 0 ? sse / n : NaN;
  const oobR2 = n > 0 && sst > 0 ? 1 - sse / sst : NaN;

  let permutation: ForestFit['permutation'];
  if (options.permutationImportance) {
    // R's randomForest (regression): per tree, delta_f = OOB MSE with f permuted − OOB MSE; %IncMSE is the
    // mean delta over trees divided by its standard error sqrt((mean(delta²) − mean(delta)²) / ntree).
    const meanIncrease = new Float64Array(cols);
    const sumSq = new Float64Array(cols);
    for (const d of deltas) for (let k = 0; k < d.length; k++) { meanIncrease[k % cols] += d[k]; sumSq[k % cols] += d[k] * d[k]; }
    const standardError = new Float64Array(cols);
    const incMse = new Float64Array(cols);
    for (let f = 0; f < cols; f++) {
      meanIncrease[f] /= nTrees;
      standardError[f] = Math.sqrt(Math.max(0, (sumSq[f] / nTrees - meanIncrease[f] ** 2) / nTrees));
      incMse[f] = standardError[f] > 0 ? meanIncrease[f] / standardError[f] : 0;
    }
    permutation = { meanIncrease, standardError, incMse };
  }
  return { trees, edges, impurity, oobR2, oobMse, oobRows: n, permutation };
}

function normalise(a: Float64Array): void {
  let s = 0;
  for (const v of a) s += v;
  if (s > 0) for (let i = 0; i < a.length; i++) a[i] /= s;
}

function toShared(a: Float32Array, shared: boolean): Float32Array {
  if (!shared || a.buffer instanceof SharedArrayBuffer) return a;
  const out = new Float32Array(new SharedArrayBuffer(a.length * 4));
  out.set(a);
  return out;
}
