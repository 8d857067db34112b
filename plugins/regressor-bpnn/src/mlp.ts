import { forwardRows } from './batch-gradient.js';

/**
 * A dense multilayer perceptron on flat `Float64Array`s: the BPNN's arithmetic. Layers are stored
 * in one parameter vector `theta` (for each layer: weights `out × in` row-major, then `out` biases),
 * so optimisers (Adam, Levenberg–Marquardt) see one vector and saving is one array.
 *
 * The Adam path uses the register-blocked kernels of `batch-gradient.ts`; `backward` (one row at a
 * time, accumulating) serves Levenberg–Marquardt's Jacobian rows.
 *
 * Hand-written rather than tfjs: for nets of a few thousand weights the per-op dispatch of tfjs
 * dominates (see `docs/neural-downscalers.md` for both measurements).
 */

export type Activation = 'tanh' | 'relu' | 'logistic' | 'identity';

/** The shape of a network: `sizes = [inputs, hidden…, 1]`. */
export interface MlpShape {
  readonly sizes: readonly number[];
  readonly activation: Activation;
}

/** Offsets of each layer's weights and biases in `theta`. */
export interface MlpLayout {
  readonly weightOffset: readonly number[];
  readonly biasOffset: readonly number[];
  readonly parameters: number;
}

export function mlpLayout(shape: MlpShape): MlpLayout {
  const weightOffset: number[] = [];
  const biasOffset: number[] = [];
  let o = 0;
  for (let l = 1; l < shape.sizes.length; l++) {
    weightOffset.push(o);
    o += shape.sizes[l] * shape.sizes[l - 1];
    biasOffset.push(o);
    o += shape.sizes[l];
  }
  return { weightOffset, biasOffset, parameters: o };
}

/**
 * Glorot-uniform weights as scikit-learn's MLPRegressor draws them (bound √(6/(in+out)), ×√2 for the
 * logistic activation), biases from the same bound, drawn from `next()` in layer order.
 */
export function initTheta(shape: MlpShape, next: () => number): Float64Array {
  const layout = mlpLayout(shape);
  const theta = new Float64Array(layout.parameters);
  for (let l = 1; l < shape.sizes.length; l++) {
    const fanIn = shape.sizes[l - 1];
    const fanOut = shape.sizes[l];
    const bound = (shape.activation === 'logistic' ? Math.SQRT2 : 1) * Math.sqrt(6 / (fanIn + fanOut));
    const w0 = layout.weightOffset[l - 1];
    const b0 = layout.biasOffset[l - 1];
    for (let i = w0; i < b0 + fanOut; i++) theta[i] = (2 * next() - 1) * bound;
  }
  return theta;
}

/** Scratch arrays for batches of up to `batch` rows: activations per layer and their gradients. */
export interface MlpWorkspace {
  readonly batch: number;
  readonly acts: Float64Array[];
  readonly deltas: Float64Array[];
}

export function mlpWorkspace(shape: MlpShape, batch: number): MlpWorkspace {
  return {
    batch,
    acts: shape.sizes.map((n) => new Float64Array(batch * n)),
    deltas: shape.sizes.map((n) => new Float64Array(batch * n)),
  };
}

/** Multiply `d` (dL/da) by da/dz in place, from the activations `a`. */
function activationGradient(d: Float64Array, a: Float64Array, n: number, activation: Activation): void {
  if (activation === 'relu') for (let i = 0; i < n; i++) d[i] = a[i] > 0 ? d[i] : 0;
  else if (activation === 'tanh') for (let i = 0; i < n; i++) d[i] *= 1 - a[i] * a[i];
  else if (activation === 'logistic') for (let i = 0; i < n; i++) d[i] *= a[i] * (1 - a[i]);
}

/**
 * Forward pass of `rows` rows already in `ws.acts[0]`; the network's output is `ws.acts[last]`
 * (one value per row). Hidden layers use the shape's activation, the output is linear.
 */
export function forward(shape: MlpShape, layout: MlpLayout, theta: Float64Array, ws: MlpWorkspace, rows: number): Float64Array {
  return forwardRows(shape, layout, theta, ws.acts, rows);
}

/**
 * Back-propagates `ws.deltas[last]` (dL/d output per row) through the network after `forward`,
 * accumulating parameter gradients into `grad` (not cleared here).
 */
export function backward(shape: MlpShape, layout: MlpLayout, theta: Float64Array, ws: MlpWorkspace, rows: number, grad: Float64Array): void {
  const sizes = shape.sizes;
  const last = sizes.length - 1;
  for (let l = last; l >= 1; l--) {
    const nin = sizes[l - 1];
    const nout = sizes[l];
    const a = ws.acts[l - 1];
    const d = ws.deltas[l];
    const dPrev = ws.deltas[l - 1];
    const w0 = layout.weightOffset[l - 1];
    const b0 = layout.biasOffset[l - 1];
    const needPrev = l > 1;
    if (needPrev) dPrev.fill(0, 0, rows * nin);
    for (let r = 0; r < rows; r++) {
      const ao = r * nin;
      const doff = r * nout;
      for (let j = 0; j < nout; j++) {
        const dj = d[doff + j];
        if (dj === 0) continue; // ReLU zeros: common, and skipping them is exact
        grad[b0 + j] += dj;
        const wo = w0 + j * nin;
        if (needPrev) {
          for (let k = 0; k < nin; k++) {
            grad[wo + k] += dj * a[ao + k];
            dPrev[ao + k] += dj * theta[wo + k];
          }
        } else {
          for (let k = 0; k < nin; k++) grad[wo + k] += dj * a[ao + k];
        }
      }
    }
    if (needPrev) activationGradient(dPrev, a, rows * nin, shape.activation);
  }
}

/** Sum of squared weights (biases excluded), for the L2 penalty. */
export function weightNorm2(shape: MlpShape, layout: MlpLayout, theta: Float64Array): number {
  let s = 0;
  for (let l = 1; l < shape.sizes.length; l++) {
    for (let i = layout.weightOffset[l - 1]; i < layout.biasOffset[l - 1]; i++) s += theta[i] * theta[i];
  }
  return s;
}

/** Adds `scale · w` to the gradient of every weight (the L2 penalty's gradient). */
export function addWeightDecay(shape: MlpShape, layout: MlpLayout, theta: Float64Array, grad: Float64Array, scale: number): void {
  if (scale === 0) return;
  for (let l = 1; l < shape.sizes.length; l++) {
    for (let i = layout.weightOffset[l - 1]; i < layout.biasOffset[l - 1]; i++) grad[i] += scale * theta[i];
  }
}
