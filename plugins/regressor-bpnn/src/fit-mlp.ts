import { createRng, inputError, usageError, type Table, type WorkerPool } from '../../../core/index.js';
import { completeRows, fitScaler, fitTargetScaler, validationSplit, type EpochReporter } from '../../../lib/nn-runtime/index.js';
import type { BpnnParams } from '../index.js';
import { createAdam } from './adam.js';
import { lmIteration, sumSquaredError, type LmState } from './levenberg-marquardt.js';
import { createAdaptiveGradient, createHalvesGradient, createThreadedHalvesGradient } from './halves-gradient.js';
import { addWeightDecay, initTheta, mlpLayout, weightNorm2, type MlpShape } from './mlp.js';
import type { MlpModel } from './predict-kernel.js';
import { createWasmForward } from './wasm-forward.js';

/** Smallest batch whose halves are worth a thread hand-off (each half must outweigh two atomic waits). */
const MIN_THREADED_BATCH = 64;
/** Fewer rows than this train on one thread: the worker start and data copy would not pay back. */
const MIN_THREADED_ROWS = 20_000;

export interface FitSummary {
  readonly solver: 'adam' | 'lm';
  readonly epochs: number;
  readonly bestEpoch: number;
  /** Mean squared error on the standardised target (training rows, last epoch). */
  readonly trainLoss: number;
  readonly validationLoss: number | null;
  readonly trainRows: number;
  readonly validationRows: number;
  readonly parameters: number;
  readonly fitSeconds: number;
  /** Share of Adam batches whose gradient ran on two threads (chosen by measured speed; never changes the bytes). */
  readonly twoThreadShare: number;
}

/** Standardised copies of the complete rows of a table: what both solvers iterate over. */
interface Standardised {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
}

function standardise(table: Table, rows: Int32Array, m: Pick<MlpModel, 'xMean' | 'xScale' | 'yMean' | 'yScale'>): Standardised {
  const p = table.columns.length;
  const x = new Float64Array(rows.length * p);
  const y = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const o = rows[i] * p;
    for (let j = 0; j < p; j++) x[i * p + j] = (table.x[o + j] - m.xMean[j]) / m.xScale[j];
    y[i] = (table.y![rows[i]] - m.yMean) / m.yScale;
  }
  return { x, y, rows: rows.length };
}

/** Σ (ŷ − y)² over the validation rows: the WebAssembly forward pass where it applies (same bytes as JS). */
function validationSse(shape: MlpShape, layout: ReturnType<typeof mlpLayout>, theta: Float64Array, va: Standardised): number {
  const block = 256;
  const net = createWasmForward(shape, layout, theta, block);
  if (!net) return sumSquaredError(shape, layout, theta, va.x, va.y, va.rows);
  const p = shape.sizes[0];
  let sse = 0;
  for (let r0 = 0; r0 < va.rows; r0 += block) {
    const m = Math.min(block, va.rows - r0);
    net.input.set(va.x.subarray(r0 * p, (r0 + m) * p));
    net.run(m);
    for (let i = 0; i < m; i++) sse += (net.output[i * net.outputStride] - va.y[r0 + i]) ** 2;
  }
  return sse;
}

/**
 * Fits the BPNN: complete rows, input (and target) standardisation, a seeded validation split (or
 * the caller's validation table), then Adam mini-batches or Levenberg–Marquardt, keeping the weights
 * of the best validation epoch (early stopping).
 */
export async function fitMlp(train: Table, params: BpnnParams, seed: number, reporter: EpochReporter, validation?: Table, workers?: WorkerPool): Promise<{ model: MlpModel; summary: FitSummary }> {
  const t0 = performance.now();
  if (!train.y) throw inputError('the training table has no target', { path: 'table.y', expected: 'a Float32Array target', found: 'none' });
  const p = train.columns.length;
  const complete = completeRows(train.x, p, train.rows, train.y);
  if (complete.length < 2) throw inputError('too few complete rows to train the network', { path: 'table', expected: 'at least 2 rows without NaN', found: `${complete.length} of ${train.rows}` });
  const rng = createRng(seed);
  let trainIdx: Int32Array = complete;
  let validIdx: Int32Array = new Int32Array(0);
  let validTable: Table = train;
  if (validation) {
    if (!validation.y || validation.columns.join('\u0000') !== train.columns.join('\u0000')) {
      throw inputError('the validation table does not match the training table', { path: 'options.validation', expected: `columns ${train.columns.join(',')} and a target`, found: `columns ${validation.columns.join(',')}${validation.y ? '' : ', no target'}` });
    }
    validTable = validation;
    validIdx = completeRows(validation.x, p, validation.rows, validation.y);
  } else if (params.validationFraction > 0) {
    ({ train: trainIdx, valid: validIdx } = validationSplit(complete, params.validationFraction, rng.fork(1)));
  }
  const xs = fitScaler(train.x, p, trainIdx);
  const ys = params.standardizeTarget ? fitTargetScaler(train.y, trainIdx) : { mean: 0, scale: 1 };
  const scalers = { xMean: xs.mean, xScale: xs.scale, yMean: ys.mean, yScale: ys.scale };
  const tr = standardise(train, trainIdx, scalers);
  const va = standardise(validTable, validIdx, scalers);
  const shape: MlpShape = { sizes: [p, ...params.hidden, 1], activation: params.activation };
  const layout = mlpLayout(shape);
  const initRng = rng.fork(2);
  const theta = initTheta(shape, () => initRng.next());
  if (params.solver === 'lm' && layout.parameters > params.lm.maxWeights) {
    throw usageError('the network is too large for Levenberg–Marquardt', {
      path: 'regressor:bpnn.solver',
      expected: `at most lm.maxWeights = ${params.lm.maxWeights} weights for solver 'lm' (or solver 'adam')`,
      found: `${layout.parameters} weights for hidden [${params.hidden.join(', ')}] and ${p} inputs`,
    });
  }
  const best = theta.slice();
  let bestScore = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let stale = 0;
  let epoch = 0;
  let trainLoss = Number.NaN;
  let lastValidation: number | null = null;
  let threadedShare = 0;
  const validLoss = () => (va.rows > 0 ? validationSse(shape, layout, theta, va) / va.rows : null);
  const accept = (score: number): boolean => {
    if (score < bestScore * (1 - params.tol) || epoch === 0) {
      bestScore = Math.min(score, bestScore);
      best.set(theta);
      bestEpoch = epoch + 1;
      stale = 0;
      return true;
    }
    return ++stale < params.patience;
  };

  if (params.solver === 'adam') {
    const B = Math.min(params.batchSize, tr.rows);
    // Two threads only when there are enough batches to amortise starting the worker.
    const threaded = workers !== undefined && workers.size > 1 && B >= MIN_THREADED_BATCH && tr.rows >= MIN_THREADED_ROWS;
    const single = createHalvesGradient(shape, layout, B, tr);
    const adaptive = threaded ? createAdaptiveGradient(single, await createThreadedHalvesGradient(shape, layout, B, tr, workers)) : null;
    const gradient = adaptive ?? single;
    const adam = createAdam(layout.parameters, params.learningRate);
    const order = Int32Array.from({ length: tr.rows }, (_, i) => i);
    const shuffle = rng.fork(3);
    try {
      for (; epoch < params.maxEpochs; epoch++) {
        shuffle.shuffle(order);
        let sse = 0;
        for (let b0 = 0; b0 < tr.rows; b0 += B) {
          const m = Math.min(B, tr.rows - b0);
          sse += gradient.compute(theta, order, b0, m);
          addWeightDecay(shape, layout, theta, gradient.grad, params.l2 / m);
          adam.step(theta, gradient.grad);
        }
        trainLoss = sse / tr.rows;
        lastValidation = validLoss();
        reporter.epoch(epoch, { loss: trainLoss, validationLoss: lastValidation ?? undefined });
        if (!accept(lastValidation ?? trainLoss)) {
          epoch++;
          break;
        }
      }
    } finally {
      await gradient.close();
    }
    if (adaptive) threadedShare = adaptive.threadedBatches / Math.max(1, adaptive.batches);
  } else {
    const state: LmState = { mu: params.lm.mu };
    const lm = { ...params.lm, l2: params.l2 };
    for (; epoch < params.maxEpochs; epoch++) {
      const step = lmIteration(shape, layout, theta, tr.x, tr.y, tr.rows, state, lm);
      trainLoss = (step.objective - params.l2 * weightNorm2(shape, layout, theta)) / tr.rows;
      lastValidation = validLoss();
      reporter.epoch(epoch, { loss: trainLoss, validationLoss: lastValidation ?? undefined });
      if (!step.improved || !accept(lastValidation ?? trainLoss)) {
        epoch++;
        break;
      }
    }
  }
  theta.set(best);
  const summary: FitSummary = {
    solver: params.solver,
    epochs: epoch,
    bestEpoch,
    trainLoss,
    validationLoss: va.rows > 0 ? bestScore : null,
    trainRows: tr.rows,
    validationRows: va.rows,
    parameters: layout.parameters,
    fitSeconds: (performance.now() - t0) / 1000,
    twoThreadShare: threadedShare,
  };
  reporter.done(`${summary.solver}: ${summary.epochs} epochs, best ${summary.bestEpoch}${summary.validationLoss !== null ? `, validation MSE ${summary.validationLoss.toPrecision(4)} (standardised)` : ''}`);
  return { model: { sizes: shape.sizes, activation: shape.activation, theta, ...scalers }, summary };
}
