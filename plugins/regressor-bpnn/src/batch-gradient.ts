import { denseForward, denseGradient, transpose } from './dense-kernels.js';
import type { Activation, MlpLayout, MlpShape } from './mlp.js';

/**
 * Preallocated buffers for the squared-error gradient of up to `capacity` rows: nothing is allocated
 * per batch. `acts[0]` (rows × inputs, row-major) and `target` are filled by the caller.
 */
export interface GradientWorkspace {
  readonly capacity: number;
  readonly acts: Float64Array[];
  readonly deltas: Float64Array[];
  readonly target: Float64Array;
  /** Feature-major copies of a layer's input and delta, for unit-stride weight gradients. */
  readonly aT: Float64Array;
  readonly dT: Float64Array;
  /** A layer's weights transposed (`in × out`), then `in` zeros as a bias: back-propagation reuses `denseForward`. */
  readonly wT: Float64Array;
}

export function createGradientWorkspace(shape: MlpShape, capacity: number): GradientWorkspace {
  const widest = Math.max(...shape.sizes);
  let widestLayer = 0;
  for (let l = 1; l < shape.sizes.length; l++) widestLayer = Math.max(widestLayer, shape.sizes[l - 1] * (shape.sizes[l] + 1));
  return {
    capacity,
    acts: shape.sizes.map((n) => new Float64Array(capacity * n)),
    deltas: shape.sizes.map((n) => new Float64Array(capacity * n)),
    target: new Float64Array(capacity),
    aT: new Float64Array(capacity * widest),
    dT: new Float64Array(capacity * widest),
    wT: new Float64Array(widestLayer),
  };
}

/** Applies the hidden activation in place to `n` values. */
export function activateInPlace(z: Float64Array, n: number, activation: Activation): void {
  if (activation === 'relu') for (let i = 0; i < n; i++) z[i] = z[i] > 0 ? z[i] : 0;
  else if (activation === 'tanh') for (let i = 0; i < n; i++) z[i] = Math.tanh(z[i]);
  else if (activation === 'logistic') for (let i = 0; i < n; i++) z[i] = 1 / (1 + Math.exp(-z[i]));
}

/** Multiplies `d` (dL/da) by da/dz in place, from the activations `a` (the derivative from the output, no recomputation). */
function activationGradient(d: Float64Array, a: Float64Array, n: number, activation: Activation): void {
  if (activation === 'relu') for (let i = 0; i < n; i++) d[i] = a[i] > 0 ? d[i] : 0;
  else if (activation === 'tanh') for (let i = 0; i < n; i++) d[i] *= 1 - a[i] * a[i];
  else if (activation === 'logistic') for (let i = 0; i < n; i++) d[i] *= a[i] * (1 - a[i]);
}

/**
 * Forward pass of `rows` rows already in `ws.acts[0]`; returns `ws.acts[last]` (one output per row).
 * Hidden layers use the shape's activation, the output is linear.
 */
export function forwardRows(shape: MlpShape, layout: MlpLayout, theta: Float64Array, acts: readonly Float64Array[], rows: number): Float64Array {
  const sizes = shape.sizes;
  const last = sizes.length - 1;
  for (let l = 1; l <= last; l++) {
    const hidden = l < last;
    const fuseRelu = hidden && shape.activation === 'relu';
    denseForward(acts[l - 1], rows, sizes[l - 1], theta, layout.weightOffset[l - 1], layout.biasOffset[l - 1], sizes[l], acts[l], fuseRelu);
    if (hidden && !fuseRelu) activateInPlace(acts[l], rows * sizes[l], shape.activation);
  }
  return acts[last];
}

/**
 * Gradient of `scale · ½ Σ_rows (ŷ − y)²` with respect to `theta`, for the `rows` rows in
 * `ws.acts[0]` / `ws.target`, written (not added) into `grad`. Returns the rows' sum of squared errors.
 *
 * @example
 * ```ts
 * const ws = createGradientWorkspace(shape, 200);
 * ws.acts[0].set(xBatch); ws.target.set(yBatch);
 * const sse = batchGradient(shape, layout, theta, ws, 200, 1 / 200, grad); // grad of the batch mean ½MSE
 * ```
 */
export function batchGradient(shape: MlpShape, layout: MlpLayout, theta: Float64Array, ws: GradientWorkspace, rows: number, scale: number, grad: Float64Array): number {
  const sizes = shape.sizes;
  const last = sizes.length - 1;
  const out = forwardRows(shape, layout, theta, ws.acts, rows);
  const dOut = ws.deltas[last];
  let sse = 0;
  for (let r = 0; r < rows; r++) {
    const e = out[r] - ws.target[r];
    sse += e * e;
    dOut[r] = e * scale;
  }
  const { aT, dT, wT } = ws;
  for (let l = last; l >= 1; l--) {
    const nin = sizes[l - 1];
    const nout = sizes[l];
    const w0 = layout.weightOffset[l - 1];
    const d = ws.deltas[l];
    transpose(d, rows, nout, dT);
    transpose(ws.acts[l - 1], rows, nin, aT);
    denseGradient(aT, dT, rows, nin, nout, grad, w0, layout.biasOffset[l - 1]);
    if (l === 1) break;
    // dL/da of the layer below = D · W, as a forward product with Wᵀ and a zero bias.
    for (let j = 0; j < nout; j++) {
      const wo = w0 + j * nin;
      for (let k = 0; k < nin; k++) wT[k * nout + j] = theta[wo + k];
    }
    wT.fill(0, nin * nout, nin * nout + nin);
    const dPrev = ws.deltas[l - 1];
    denseForward(d, rows, nout, wT, 0, nin * nout, nin, dPrev, false);
    activationGradient(dPrev, ws.acts[l - 1], rows * nin, shape.activation);
  }
  return sse;
}
