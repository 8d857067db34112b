import { createRng, type ProgressReporter, type WorkerPool } from '../../../core/index.js';
import { binColumns, computeBinEdges, missingBinFor, type BinCodes, type BinEdges } from './binning.js';
import { BoostTeam } from './boost-team.js';
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
  /** false: the JS histogram loops instead of the WebAssembly kernel (same trees; for tests). */
  readonly wasm?: boolean;
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
  /** Threads that ran work items of the fit, this one included (the trees are the same for any count). */
  readonly threads: number;
}

/**
 * Gradient boosting with L2 loss on histogram-binned features (LightGBM-style). For L2 loss the
 * gradient is the residual and the hessian the weight, so each tree is a least-squares tree on the
 * residuals with leaf value `Σ w·r / (Σ w + λ)`, shrunk by the learning rate. Rows are processed in
 * fixed shards on up to `SHARDS` threads of `workers` (boost-shards.ts): the same trees on any count.
 *
 * @example
 * ```ts
 * const fit = await fitBoosting(table.x, table.y!, null, table.rows, 12, { rounds: 300, learningRate: 0.1, … }, undefined, undefined, undefined, context.workers);
 * ```
 */
export async function fitBoosting(
  x: Float32Array,
  y: Float32Array,
  weight: Float32Array | null,
  rows: number,
  cols: number,
  o: BoostingOptions,
  validation?: ValidationRows,
  progress?: ProgressReporter,
  signal?: AbortSignal,
  workers?: WorkerPool,
): Promise<BoostingFit> {
  const w = weight ? Float64Array.from(weight.subarray(0, rows)) : null;
  // Helpers start up while the matrix is binned.
  const team = BoostTeam.start(rows, cols, missingBinFor(o.maxBins), y, w, { maxLeaves: o.numLeaves, minLeaf: o.minDataInLeaf }, workers, { wasm: o.wasm });
  let fit: Omit<BoostingFit, 'threads'>;
  try {
    const edges = computeBinEdges(x, rows, cols, { maxBins: o.maxBins, seed: o.seed });
    team.setCodes(binColumns(x, rows, cols, edges));
    const valCodes: BinCodes | undefined = validation ? binColumns(validation.x, validation.rows, cols, edges) : undefined;
    let sw = 0;
    let swy = 0;
    for (let r = 0; r < rows; r++) {
      sw += w ? w[r] : 1;
      swy += (w ? w[r] : 1) * y[r];
    }
    const base = sw > 0 ? swy / sw : 0;
    team.shared.pred.fill(base);
    fit = growRounds(team, base, sw, edges, valCodes, o, validation, progress, signal);
  } catch (e) {
    // A helper's own error says more than "a helper thread failed".
    throw (await team.close().then(() => null, (helperError: unknown) => helperError)) ?? e;
  }
  return { ...fit, threads: await team.close() };
}

function growRounds(team: BoostTeam, base: number, sw: number, edges: BinEdges, valCodes: BinCodes | undefined, o: BoostingOptions, validation: ValidationRows | undefined, progress: ProgressReporter | undefined, signal: AbortSignal | undefined): Omit<BoostingFit, 'threads'> {
  const { rows, cols, inSample, featureMask: mask } = team.shared;
  const valPred = validation ? new Float64Array(validation.rows).fill(base) : undefined;
  const rng = createRng(o.seed);
  const nSample = o.subsample >= 1 ? rows : Math.max(1, Math.round(o.subsample * rows));
  const nFeatures = o.colsampleByTree >= 1 ? cols : Math.max(1, Math.round(o.colsampleByTree * cols));
  const perm = new Int32Array(rows);
  const featPerm = new Int32Array(cols);
  const trees: TreeArrays[] = [];
  const gains: Float64Array[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  let best = Infinity;
  let bestRound = -1;
  const task = progress?.start('boosting rounds', o.rounds);
  const treeOptions = {
    minLeaf: o.minDataInLeaf,
    maxDepth: o.maxDepth,
    maxLeaves: o.numLeaves,
    lambda: o.lambdaL2,
    minGain: o.minGainToSplit,
    order: o.growth === 'leaf-wise' ? 'best-first' : 'breadth-first',
    leafScale: o.learningRate,
    upper: edges.upper,
  } as const;

  for (let round = 0; round < o.rounds; round++) {
    if (signal?.aborted) break;
    const roundRng = rng.fork(round);
    if (nSample < rows) {
      for (let r = 0; r < rows; r++) perm[r] = r;
      for (let i = 0; i < nSample; i++) {
        const j = i + roundRng.int(rows - i);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      inSample.fill(0);
      for (let i = 0; i < nSample; i++) inSample[perm[i]] = 1;
    }
    mask.fill(nFeatures >= cols ? 1 : 0);
    if (nFeatures < cols) {
      for (let f = 0; f < cols; f++) featPerm[f] = f;
      roundRng.shuffle(featPerm);
      for (let k = 0; k < nFeatures; k++) mask[featPerm[k]] = 1;
    }
    const root = team.startRound(nSample < rows, team.shared.weight === null);
    const grown = team.growTree(root, treeOptions);
    const tree = grown.tree;
    trees.push(tree);
    gains.push(grown.gainByFeature);
    trainLoss.push(team.endTree(grown.leaves) / sw);
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
