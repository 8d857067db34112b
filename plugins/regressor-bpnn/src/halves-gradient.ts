import { batchGradient, createGradientWorkspace, type GradientWorkspace } from './batch-gradient.js';
import type { MlpLayout, MlpShape } from './mlp.js';

/** Standardised training rows (row-major inputs, targets). */
export interface TrainingRows {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/**
 * The gradient of one mini-batch, always computed as two fixed halves (first ⌈m/2⌉ rows, the rest)
 * summed half 0 + half 1. The split is the same whether the halves run on one thread or two, so the
 * trained bytes never depend on the thread count.
 */
export interface MinibatchGradient {
  /** The last batch's gradient of `½·mean squared error` (no penalty), overwritten by each `compute`. */
  readonly grad: Float64Array;
  /** Gradient of the rows `order[b0 … b0+m)` at `theta` into `grad`; returns their sum of squared errors. */
  compute(theta: Float64Array, data: TrainingRows, order: Int32Array, b0: number, m: number): number;
}

/** Copies the rows `order[from … from+n)` of `data` into a workspace's input and target. */
export function gatherRows(ws: GradientWorkspace, p: number, data: TrainingRows, order: Int32Array, from: number, n: number): void {
  const input = ws.acts[0];
  const target = ws.target;
  const x = data.x;
  for (let i = 0; i < n; i++) {
    const r = order[from + i];
    const o = r * p;
    const io = i * p;
    for (let j = 0; j < p; j++) input[io + j] = x[o + j];
    target[i] = data.y[r];
  }
}

/** Both halves on the calling thread. */
export function createHalvesGradient(shape: MlpShape, layout: MlpLayout, batch: number): MinibatchGradient {
  const P = layout.parameters;
  const p = shape.sizes[0];
  const half = Math.ceil(batch / 2);
  const ws = createGradientWorkspace(shape, half);
  const g0 = new Float64Array(P);
  const g1 = new Float64Array(P);
  const grad = new Float64Array(P);
  return {
    grad,
    compute(theta, data, order, b0, m) {
      const h = Math.ceil(m / 2);
      gatherRows(ws, p, data, order, b0, h);
      let sse = batchGradient(shape, layout, theta, ws, h, 1 / m, g0);
      gatherRows(ws, p, data, order, b0 + h, m - h);
      sse += batchGradient(shape, layout, theta, ws, m - h, 1 / m, g1);
      for (let i = 0; i < P; i++) grad[i] = g0[i] + g1[i];
      return sse;
    },
  };
}
