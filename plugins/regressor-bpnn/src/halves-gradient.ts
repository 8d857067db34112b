import { runtimeError, type WorkerPool } from '../../../core/index.js';
import { gradientWorkerTask } from './gradient-worker.js';
import { createHalfGradient, type TrainingRows } from './half-gradient.js';
import { CTRL, STALL_MS, waitChange, type SharedTraining } from './shared-training.js';
import type { MlpLayout, MlpShape } from './mlp.js';

/**
 * The gradient of one mini-batch, always computed as two fixed halves (first ⌈m/2⌉ rows, the rest)
 * summed half 0 + half 1. The split is the same whether the halves run on one thread or two, so the
 * trained bytes never depend on the thread count.
 */
export interface MinibatchGradient {
  /** The last batch's gradient of `½·mean squared error` (no penalty), overwritten by each `compute`. */
  readonly grad: Float64Array;
  /** Gradient of the rows `order[b0 … b0+m)` at `theta` into `grad`; returns their sum of squared errors. */
  compute(theta: Float64Array, order: Int32Array, b0: number, m: number): number;
  /** Releases the worker thread (if any). */
  close(): Promise<void>;
}

/** Both halves on the calling thread. */
export function createHalvesGradient(shape: MlpShape, layout: MlpLayout, batch: number, data: TrainingRows, useWasm = true): MinibatchGradient {
  const P = layout.parameters;
  const half = createHalfGradient(shape, layout, Math.ceil(batch / 2), useWasm);
  const g0 = new Float64Array(P);
  const g1 = new Float64Array(P);
  const grad = new Float64Array(P);
  return {
    grad,
    compute(theta, order, b0, m) {
      const h = Math.ceil(m / 2);
      half.setWeights(theta);
      half.gather(data, order, b0, h);
      let sse = half.compute(theta, h, 1 / m, g0);
      half.gather(data, order, b0 + h, m - h);
      sse += half.compute(theta, m - h, 1 / m, g1);
      for (let i = 0; i < P; i++) grad[i] = g0[i] + g1[i];
      return sse;
    },
    async close() {},
  };
}

/** `Atomics.waitAsync` (Node ≥ 16; not yet in the TypeScript lib this project targets). */
interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));

/**
 * The first half of each batch on the calling thread, the second on one pool worker running
 * `gradientWorker`; weights, data and the worker's gradient live in SharedArrayBuffers (the data is
 * copied there once), and each batch costs two atomic hand-offs instead of messages. Same bytes as
 * `createHalvesGradient`: the same halves, reduced in the same order.
 */
export async function createThreadedHalvesGradient(shape: MlpShape, layout: MlpLayout, batch: number, data: TrainingRows, workers: WorkerPool): Promise<MinibatchGradient> {
  const P = layout.parameters;
  const half = Math.ceil(batch / 2);
  const x = new Float64Array(shared(data.x.length * 8));
  x.set(data.x);
  const y = new Float64Array(shared(data.y.length * 8));
  y.set(data.y);
  const s: SharedTraining = {
    sizes: shape.sizes,
    activation: shape.activation,
    halfCapacity: half,
    ctrl: new Int32Array(shared(CTRL.length * 4)),
    theta: new Float64Array(shared(P * 8)),
    grad: new Float64Array(shared(P * 8)),
    sse: new Float64Array(shared(8)),
    rows: new Int32Array(shared(half * 4)),
    x,
    y,
  };
  const { ctrl } = s;
  const worker = workers.run(gradientWorkerTask, [s]);
  let failure: unknown = null;
  worker.catch((e) => (failure = e));
  // Wait without blocking the event loop: the pool may first have to start the thread or finish other tasks.
  const ready = (Atomics as unknown as AtomicsWaitAsync).waitAsync(ctrl, CTRL.ready, 0);
  if (ready.async) await Promise.race([ready.value, worker]);
  if (failure) throw failure;

  const mine = createHalfGradient(shape, layout, half);
  const g0 = new Float64Array(P);
  const grad = new Float64Array(P);
  let seq = 0;
  return {
    grad,
    compute(theta, order, b0, m) {
      const h = Math.ceil(m / 2);
      s.theta.set(theta);
      for (let i = h; i < m; i++) s.rows[i - h] = order[b0 + i];
      ctrl[CTRL.rows] = m - h;
      ctrl[CTRL.batchRows] = m;
      Atomics.store(ctrl, CTRL.seq, ++seq);
      Atomics.notify(ctrl, CTRL.seq);
      mine.setWeights(theta);
      mine.gather(data, order, b0, h);
      let sse = mine.compute(theta, h, 1 / m, g0);
      let done = Atomics.load(ctrl, CTRL.done);
      while (done !== seq) {
        const next = waitChange(ctrl, CTRL.done, done);
        if (next === null) throw runtimeError('the BPNN gradient worker stopped answering', { path: 'regressor:bpnn worker', expected: `half-batch ${seq} within ${STALL_MS / 1000} s`, found: `last finished ${done}` });
        done = next;
      }
      sse += s.sse[0];
      const g1 = s.grad;
      for (let i = 0; i < P; i++) grad[i] = g0[i] + g1[i];
      return sse;
    },
    async close() {
      Atomics.store(ctrl, CTRL.seq, -1);
      Atomics.notify(ctrl, CTRL.seq);
      await worker;
    },
  };
}

/** Batches per scheduling window of `createAdaptiveGradient`, and how many of them probe each engine. */
const WINDOW = 100;
const PROBE = 4;

/**
 * Chooses per window of batches whichever engine is faster right now: the first `PROBE` batches of a
 * window run on one thread, the next `PROBE` on two, the rest on the faster. Both engines give the
 * same bytes, so the choice (which depends on machine load) never changes the result — only the time.
 * On a quiet machine two threads win; on an oversubscribed one the per-batch hand-off can lose.
 */
export function createAdaptiveGradient(single: MinibatchGradient, threaded: MinibatchGradient): MinibatchGradient & { readonly threadedBatches: number; readonly batches: number } {
  let current = single;
  let n = 0;
  let threadedBatches = 0;
  let singleTime = 0;
  let threadedTime = 0;
  return {
    get grad() {
      return current.grad;
    },
    get threadedBatches() {
      return threadedBatches;
    },
    get batches() {
      return n;
    },
    compute(theta, order, b0, m) {
      const slot = n++ % WINDOW;
      if (slot === 0) singleTime = threadedTime = 0;
      const probing = slot < 2 * PROBE;
      if (probing) current = slot < PROBE ? single : threaded;
      else if (slot === 2 * PROBE) current = threadedTime < singleTime ? threaded : single;
      if (current === threaded) threadedBatches++;
      if (!probing) return current.compute(theta, order, b0, m);
      const t0 = performance.now();
      const sse = current.compute(theta, order, b0, m);
      if (current === single) singleTime += performance.now() - t0;
      else threadedTime += performance.now() - t0;
      return sse;
    },
    async close() {
      await Promise.all([single.close(), threaded.close()]);
    },
  };
}
