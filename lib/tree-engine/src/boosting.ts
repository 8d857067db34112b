import { createRng, type ProgressReporter } from '../../../core/index.js';
import { binColumns, computeBinEdges, type BinCodes } from './binning.js';
import { TreeGrower } from './grow-tree.js';
import { predictBinned, type TreeArrays } from './tree.js';

export interface BoostingOptions {
  readonly rounds: number;
  readonly learningRate: number;
  /** `leaf-wise` expands the leaf with the largest gain (LightGBM); `depth-wise` expands level by level. */
  readonly growth: 'leaf-wise' | 'depth-wise';
  readonly numLeaves: number;
  /** `Infinity` for none. */
  readonly maxDepth: number;
  readonly minDataInLeaf: number;
  readonly lambdaL2: number;
  readonly minGainToSplit: number;
  /** Fraction of rows drawn (without replacement) for each round. */
  readonly subsample: number;
  /** Fraction of features each tree may use. */
  readonly colsampleByTree: number;
  /** Stop when the validation loss has not improved for this many rounds (0: never). */
  readonly earlyStoppingRounds: number;
  readonly maxBins: number;
  readonly seed: number;
}

/** Rows held out to watch the loss during boosting. */
export interface ValidationRows {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
}

export interface BoostingFit {
  /** Trees whose leaf values already include the learning rate; prediction = `base + Σ tree`. */
  readonly trees: TreeArrays[];
  readonly base: number;
  /** Total split gain per feature over the kept trees. */
  readonly gain: Float64Array;
  /** Number of splits per feature over the kept trees. */
  readonly splits: Float64Array;
  readonly trainLoss: number[];
  readonly validLoss: number[];
  /** Rounds kept (the best validation round + 1 when early stopping, else all). */
  readonly roundsKept: number;
}

/**
 * Gradient boosting with L2 loss on histogram-binned features (LightGBM-style). For L2 loss the
 * gradient is the residual and the hessian the weight, so each tree is a least-squares tree on the
 * residuals with leaf value `Σ w·r / (Σ w + λ)`, shrunk by the learning rate.
 *
 * @example
 * ```ts
 * const fit = fitBoosting(table.x, table.y!, null, table.rows, 12, { rounds: 300, learningRate: 0.1, … });
 * ```
 */
export function fitBoosting(
  x: Float32Array,
  y: Float32Array,
  weight: Float32Array | null,
  rows: number,
  cols: number,
  o: BoostingOptions,
  validation?: ValidationRows,
  progress?: ProgressReporter,
  signal?: AbortSignal,
): BoostingFit {
  const edges = computeBinEdges(x, rows, cols, { maxBins: o.maxBins, seed: o.seed });
  const codes = binColumns(x, rows, cols, edges);
  const grower = new TreeGrower({ codes, rows, cols, missingBin: edges.missingBin, upper: edges.upper });
  const valCodes: BinCodes | undefined = validation ? binColumns(validation.x, validation.rows, cols, edges) : undefined;
  const w = new Float64Array(rows);
  let sw = 0;
  let swy = 0;
  for (let r = 0; r < rows; r++) {
    w[r] = weight ? weight[r] : 1;
    sw += w[r];
    swy += w[r] * y[r];
  }
  const base = sw > 0 ? swy / sw : 0;
  const pred = new Float64Array(rows).fill(base);
  const valPred = validation ? new Float64Array(validation.rows).fill(base) : undefined;
  const wr = new Float64Array(rows);
  const rng = createRng(o.seed);
  const nSample = o.subsample >= 1 ? rows : Math.max(1, Math.round(o.subsample * rows));
  const nFeatures = o.colsampleByTree >= 1 ? cols : Math.max(1, Math.round(o.colsampleByTree * cols));
  const perm = new Int32Array(rows);
  const all = new Int32Array(rows);
  const inSample = new Uint8Array(rows);
  const featPerm = new Int32Array(cols);
  const mask = new Uint8Array(cols);
  const trees: TreeArrays[] = [];
  const gains: Float64Array[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let best = Infinity;
  let bestRound = -1;
  const task = progress?.start('boosting rounds', o.rounds);

  for (let round = 0; round < o.rounds; round++) {
    if (signal?.aborted) break;
    const roundRng = rng.fork(round);
    for (let r = 0; r < rows; r++) wr[r] = w[r] * (y[r] - pred[r]);
    let indices: Int32Array;
    if (nSample >= rows) {
      indices = all;
      for (let r = 0; r < rows; r++) indices[r] = r;
    } else {
      for (let r = 0; r < rows; r++) perm[r] = r;
      for (let i = 0; i < nSample; i++) {
        const j = i + roundRng.int(rows - i);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      indices = perm.subarray(0, nSample).sort(); // ascending ids: sequential memory access
      inSample.fill(0);
      for (let i = 0; i < nSample; i++) inSample[indices[i]] = 1;
    }
    mask.fill(nFeatures >= cols ? 1 : 0);
    if (nFeatures < cols) {
      for (let f = 0; f < cols; f++) featPerm[f] = f;
      roundRng.shuffle(featPerm);
      for (let k = 0; k < nFeatures; k++) mask[featPerm[k]] = 1;
    }
    const grown = grower.grow(
      { indices, weight: weight ? w : null, weightedTarget: wr, featureMask: mask },
      {
        minLeaf: o.minDataInLeaf,
        maxDepth: o.maxDepth,
        maxLeaves: o.numLeaves,
        lambda: o.lambdaL2,
        minGain: o.minGainToSplit,
        featuresPerSplit: cols,
        order: o.growth === 'leaf-wise' ? 'best-first' : 'breadth-first',
        leafScale: o.learningRate,
      },
    );
    const tree = grown.tree;
    trees.push(tree);
    gains.push(grown.gainByFeature);
    // In-sample rows: add their leaf's value by leaf range; others: walk the tree.
    const ranges = grown.leafRanges;
    for (let k = 0; k < ranges.length; k += 3) {
      const v = tree.value[ranges[k]];
      for (let j = ranges[k + 1], e = ranges[k + 2]; j < e; j++) pred[indices[j]] += v;
    }
    if (nSample < rows) for (let r = 0; r < rows; r++) if (!inSample[r]) pred[r] += predictBinned(tree, codes, rows, r, edges.missingBin);
    let sse = 0;
    for (let r = 0; r < rows; r++) sse += w[r] * (y[r] - pred[r]) ** 2;
    trainLoss.push(sse / sw);
    if (validation && valPred && valCodes) {
      let vs = 0;
      for (let r = 0; r < validation.rows; r++) {
        valPred[r] += predictBinned(tree, valCodes, validation.rows, r, edges.missingBin);
        vs += (validation.y[r] - valPred[r]) ** 2;
      }
      const loss = vs / validation.rows;
      validLoss.push(loss);
      if (loss < best) {
        best = loss;
        bestRound = round;
      } else if (o.earlyStoppingRounds > 0 && round - bestRound >= o.earlyStoppingRounds) {
        task?.tick();
        break;
      }
    }
    task?.tick();
    if (tree.feature.length === 1 && tree.value[0] === 0) break; // nothing left to fit
  }
  task?.done();
  const kept = validation && o.earlyStoppingRounds > 0 && bestRound >= 0 ? bestRound + 1 : trees.length;
  trees.length = kept;
  const gain = new Float64Array(cols);
  const splits = new Float64Array(cols);
  for (let t = 0; t < kept; t++) {
    for (let f = 0; f < cols; f++) gain[f] += gains[t][f];
    for (const f of trees[t].feature) if (f >= 0) splits[f]++;
  }
  return { trees, base, gain, splits, trainLoss, validLoss, roundsKept: kept };
}
