/**
 * Worker-thread entry points of `regressor:knn` (also called inline with a one-thread pool). The
 * tree, scaling and targets arrive in shared memory; only the query rows are copied.
 */
import { buildSearchTree, type KdTree } from './kd-tree.js';
import { forEachNeighbours, type Scaling } from './knn-search.js';
import { combineNeighbours, type Weighting } from './neighbour-weights.js';
import { workerTask } from '../../../core/kernel.js';

/** Everything a prediction task needs besides its rows. */
export interface KnnKernelModel extends Weighting {
  readonly tree: KdTree;
  readonly scaling: Scaling;
  /** Targets in the input order of the tree's points. */
  readonly y: Float64Array;
  readonly k: number;
}

/** Predict `rows` rows of raw features `x`: weighted mean and spread of the k nearest targets (NaN for rows with a missing feature). */
export function predictKnnRows(model: KnnKernelModel, x: Float32Array, rows: number): { mean: Float32Array; spread: Float32Array } {
  const mean = new Float32Array(rows);
  const spread = new Float32Array(rows);
  const out = { mean: 0, spread: 0 };
  forEachNeighbours(model.tree, model.scaling, x, rows, model.k, (r, n) => {
    if (!n) {
      mean[r] = Number.NaN;
      spread[r] = Number.NaN;
      return;
    }
    combineNeighbours(n, model.k, model.y, model, out);
    mean[r] = out.mean;
    spread[r] = out.spread;
  });
  return { mean, spread };
}

/** The k nearest training points of each row: indices (−1 when missing) and squared distances, `rows × k`. */
export function neighbourRows(tree: KdTree, scaling: Scaling, x: Float32Array, rows: number, k: number): { index: Int32Array; dist2: Float64Array } {
  const index = new Int32Array(rows * k).fill(-1);
  const dist2 = new Float64Array(rows * k).fill(Number.NaN);
  forEachNeighbours(tree, scaling, x, rows, k, (r, n) => {
    if (!n) return;
    for (let i = 0; i < n.count; i++) {
      index[r * k + i] = n.index[i];
      dist2[r * k + i] = n.dist2[i];
    }
  });
  return { index, dist2 };
}

/** One cross-validation fold: inputs of `cvFold`. */
export interface FoldTask extends Weighting {
  /** Standardised training features, `rows × dims`. */
  readonly z: Float64Array;
  readonly y: Float64Array;
  readonly dims: number;
  /** Fold of every row. */
  readonly foldOf: Int32Array;
  readonly fold: number;
  readonly candidates: readonly number[];
  readonly leafSize: number;
}

/**
 * Fit on every row outside `fold`, predict the rows inside for each candidate k (one search with the
 * largest k; smaller k use its prefix), and return the sum of squared errors per candidate and the row count.
 */
export function cvFold(t: FoldTask): { sse: Float64Array; rows: number } {
  const { z, y, dims, foldOf, fold } = t;
  const n = foldOf.length;
  let nTrain = 0;
  for (let i = 0; i < n; i++) if (foldOf[i] !== fold) nTrain++;
  const nTest = n - nTrain;
  const zTrain = new Float64Array(nTrain * dims);
  const yTrain = new Float64Array(nTrain);
  const qTest = new Float64Array(nTest * dims);
  const yTest = new Float64Array(nTest);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (foldOf[i] !== fold) {
      zTrain.set(z.subarray(i * dims, i * dims + dims), a * dims);
      yTrain[a++] = y[i];
    } else {
      qTest.set(z.subarray(i * dims, i * dims + dims), b * dims);
      yTest[b++] = y[i];
    }
  }
  const tree = buildSearchTree(zTrain, nTrain, dims, t.leafSize);
  const kMax = Math.min(Math.max(...t.candidates), nTrain);
  const sse = new Float64Array(t.candidates.length);
  const identity: Scaling = { center: new Float64Array(dims), scale: new Float64Array(dims).fill(1) };
  // queries are already standardised (float64): the identity scaling passes them through unchanged
  const out = { mean: 0, spread: 0 };
  forEachNeighbours(tree, identity, qTest, nTest, kMax, (r, nb) => {
    if (!nb) return;
    t.candidates.forEach((k, c) => {
      combineNeighbours(nb, Math.min(k, kMax), yTrain, t, out);
      sse[c] += (out.mean - yTest[r]) ** 2;
    });
  });
  return { sse, rows: nTest };
}

/** The KNN kernels on worker threads. */
export const predictKnnRowsTask = workerTask(import.meta.url, { predictKnnRows });
export const cvFoldTask = workerTask(import.meta.url, { cvFold });
