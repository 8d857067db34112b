import { batchGradient, createGradientWorkspace, type GradientWorkspace } from './batch-gradient.js';
import type { MlpLayout, MlpShape } from './mlp.js';
import { createWasmGradient } from './wasm-gradient.js';

/** Standardised training rows (row-major inputs, targets). */
export interface TrainingRows {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Copies the rows `order[from … from+n)` of `data` into `input` (row stride `stride`) and `target`. */
function gatherRows(input: Float64Array, stride: number, target: Float64Array, p: number, data: TrainingRows, order: Int32Array, from: number, n: number): void {
  const x = data.x;
  for (let i = 0; i < n; i++) {
    const r = order[from + i];
    const o = r * p;
    const io = i * stride;
    for (let j = 0; j < p; j++) input[io + j] = x[o + j];
    target[i] = data.y[r];
  }
}

/** The gradient of one half batch: gather its rows, then compute. */
export interface HalfGradient {
  gather(data: TrainingRows, order: Int32Array, from: number, n: number): void;
  /** Takes the weights of the next `compute` calls. */
  setWeights(theta: Float64Array): void;
  /** Gradient of `scale · ½ Σ (ŷ − y)²` over the gathered rows into `grad` (assigned); returns Σ (ŷ − y)². */
  compute(theta: Float64Array, n: number, scale: number, grad: Float64Array): number;
}

/**
 * The WebAssembly SIMD engine where it applies (ReLU nets), else the JS kernels: the same bytes
 * either way (tested), so which one a thread gets never shows in the result.
 */
export function createHalfGradient(shape: MlpShape, layout: MlpLayout, capacity: number, useWasm = true): HalfGradient {
  const p = shape.sizes[0];
  const wasm = useWasm ? createWasmGradient(shape, layout, capacity) : null;
  if (wasm) {
    return {
      gather: (data, order, from, n) => gatherRows(wasm.input, wasm.inputStride, wasm.target, p, data, order, from, n),
      setWeights: (theta) => wasm.setWeights(theta),
      compute: (_theta, n, scale, grad) => wasm.compute(n, scale, grad),
    };
  }
  const ws: GradientWorkspace = createGradientWorkspace(shape, capacity);
  return {
    gather: (data, order, from, n) => gatherRows(ws.acts[0], p, ws.target, p, data, order, from, n),
    setWeights: () => undefined,
    compute: (theta, n, scale, grad) => batchGradient(shape, layout, theta, ws, n, scale, grad),
  };
}
