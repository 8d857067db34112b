import { createHalfGradient } from './half-gradient.js';
import { mlpLayout } from './mlp.js';
import { CTRL, waitChange, type SharedTraining } from './shared-training.js';
import { workerTask } from '../../../core/kernel.js';

/**
 * Worker entry (`gradientWorkerTask`): computes the second half of every mini-batch the main thread
 * posts, until it posts −1. Returns the number of half-batches computed.
 */
export function gradientWorker(s: SharedTraining): number {
  const shape = { sizes: s.sizes, activation: s.activation };
  const layout = mlpLayout(shape);
  const engine = createHalfGradient(shape, layout, s.halfCapacity);
  const data = { x: s.x, y: s.y };
  const { ctrl } = s;
  let seen = 0;
  let batches = 0;
  Atomics.store(ctrl, CTRL.ready, 1);
  Atomics.notify(ctrl, CTRL.ready);
  for (;;) {
    const seq = waitChange(ctrl, CTRL.seq, seen);
    if (seq === null) throw new Error('gradient worker: no batch from the main thread for 120 s');
    if (seq < 0) return batches;
    seen = seq;
    const n = ctrl[CTRL.rows];
    engine.setWeights(s.theta);
    engine.gather(data, s.rows, 0, n);
    s.sse[0] = engine.compute(s.theta, n, 1 / ctrl[CTRL.batchRows], s.grad);
    batches++;
    Atomics.store(ctrl, CTRL.done, seq);
    Atomics.notify(ctrl, CTRL.done);
  }
}

/** `gradientWorker` on a worker thread. */
export const gradientWorkerTask = workerTask(import.meta.url, { gradientWorker });
