import { choleskySolve } from '../../../core/index.js';
import { backward, forward, mlpWorkspace, type MlpLayout, type MlpShape } from './mlp.js';

/**
 * Levenberg–Marquardt for small networks, as MATLAB's `trainlm`: the Gauss–Newton system of the
 * squared error with a damping μ that is divided by `muDecrease` after a successful step and
 * multiplied by `muIncrease` (retrying) after a failed one. Cost per iteration ~ rows·P²/2 for the
 * normal equations JᵀJ and P³/6 for the Cholesky solve, hence the cap on P.
 */
export interface LmOptions {
  readonly mu: number;
  readonly muIncrease: number;
  readonly muDecrease: number;
  readonly muMax: number;
  /** L2 penalty λ in Σe² + λ‖W‖² (biases not penalised). */
  readonly l2: number;
}

export interface LmState {
  mu: number;
}

/** Sum of squared errors of `theta` on `rows` (standardised inputs `x`, targets `y`). */
export function sumSquaredError(shape: MlpShape, layout: MlpLayout, theta: Float64Array, x: Float64Array, y: Float64Array, rows: number): number {
  const block = 256;
  const p = shape.sizes[0];
  const ws = mlpWorkspace(shape, block);
  let sse = 0;
  for (let r0 = 0; r0 < rows; r0 += block) {
    const m = Math.min(block, rows - r0);
    ws.acts[0].set(x.subarray(r0 * p, (r0 + m) * p));
    const out = forward(shape, layout, theta, ws, m);
    for (let i = 0; i < m; i++) sse += (out[i] - y[r0 + i]) ** 2;
  }
  return sse;
}

/**
 * One LM iteration: builds JᵀJ and Jᵀe at `theta`, then tries damped steps until the penalised
 * error decreases (or μ exceeds `muMax`). Updates `theta` and `state.mu` in place; returns the new
 * penalised error and whether a step was taken.
 */
export function lmIteration(
  shape: MlpShape,
  layout: MlpLayout,
  theta: Float64Array,
  x: Float64Array,
  y: Float64Array,
  rows: number,
  state: LmState,
  o: LmOptions,
): { objective: number; improved: boolean } {
  const P = layout.parameters;
  const p = shape.sizes[0];
  const last = shape.sizes.length - 1;
  const jtj = new Float64Array(P * P);
  const jte = new Float64Array(P);
  const jrow = new Float64Array(P);
  const ws = mlpWorkspace(shape, 1);
  let sse = 0;
  for (let r = 0; r < rows; r++) {
    ws.acts[0].set(x.subarray(r * p, r * p + p));
    const out = forward(shape, layout, theta, ws, 1);
    const e = y[r] - out[0];
    sse += e * e;
    ws.deltas[last][0] = 1;
    jrow.fill(0);
    backward(shape, layout, theta, ws, 1, jrow);
    for (let i = 0; i < P; i++) {
      const ji = jrow[i];
      if (ji === 0) continue;
      jte[i] += ji * e;
      const io = i * P;
      for (let k = 0; k <= i; k++) jtj[io + k] += ji * jrow[k];
    }
  }
  const penalised = isWeight(layout, P);
  let norm = 0;
  for (let i = 0; i < P; i++) if (penalised[i]) norm += theta[i] * theta[i];
  const objective = sse + o.l2 * norm;
  const trial = new Float64Array(P);
  const a = new Float64Array(P * P);
  const b = new Float64Array(P);
  while (state.mu <= o.muMax) {
    for (let i = 0; i < P; i++) {
      for (let k = 0; k <= i; k++) a[i * P + k] = jtj[i * P + k];
      a[i * P + i] += state.mu + (penalised[i] ? o.l2 : 0);
      b[i] = jte[i] - (penalised[i] ? o.l2 * theta[i] : 0);
    }
    if (choleskySolve(a, b, P)) {
      for (let i = 0; i < P; i++) trial[i] = theta[i] + b[i];
      let trialNorm = 0;
      for (let i = 0; i < P; i++) if (penalised[i]) trialNorm += trial[i] * trial[i];
      const next = sumSquaredError(shape, layout, trial, x, y, rows) + o.l2 * trialNorm;
      if (next < objective) {
        theta.set(trial);
        state.mu = Math.max(state.mu * o.muDecrease, 1e-20);
        return { objective: next, improved: true };
      }
    }
    state.mu *= o.muIncrease;
  }
  return { objective, improved: false };
}

function isWeight(layout: MlpLayout, P: number): Uint8Array {
  const w = new Uint8Array(P);
  layout.weightOffset.forEach((w0, l) => w.fill(1, w0, layout.biasOffset[l]));
  return w;
}

