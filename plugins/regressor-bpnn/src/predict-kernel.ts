import { forward, mlpLayout, mlpWorkspace, type Activation, type MlpWorkspace } from './mlp.js';
import { createWasmForward, type WasmForward } from './wasm-forward.js';
import { workerTask } from '../../../core/kernel.js';

/** Everything a worker needs to apply a fitted network (plain data: crosses thread boundaries). */
export interface MlpModel {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly theta: Float64Array;
  readonly xMean: Float64Array;
  readonly xScale: Float64Array;
  readonly yMean: number;
  readonly yScale: number;
}

/** Rows per forward pass: the layer activations of a pass stay in L2. */
const BLOCK = 256;
/** Rows a worker claims at a time from the shared counter (load balancing without per-block messages). */
export const CLAIM_ROWS = 2048;

interface Scratch {
  readonly ws: MlpWorkspace;
  /** The WebAssembly SIMD forward pass (same bytes as the JS kernels, ~3–5× faster), when available. */
  readonly wasm: WasmForward | null;
  readonly rowIndex: Int32Array;
}

function scratchFor(model: MlpModel, useWasm: boolean): Scratch {
  const shape = { sizes: model.sizes, activation: model.activation };
  return {
    ws: mlpWorkspace(shape, BLOCK),
    wasm: useWasm ? createWasmForward(shape, mlpLayout(shape), model.theta, BLOCK) : null,
    rowIndex: new Int32Array(BLOCK),
  };
}

/**
 * Writes predictions of rows `r0 … r1` of `x` (row-major, `sizes[0]` columns) into `out[r]`:
 * standardise, forward, un-scale. Rows with a non-finite feature give NaN. Each row's arithmetic is
 * independent of the rows around it, so any tiling (threads, blocks) gives the same bytes.
 */
function predictRange(model: MlpModel, x: Float32Array, r0: number, r1: number, out: Float32Array, scratch: Scratch): void {
  const shape = { sizes: model.sizes, activation: model.activation };
  const layout = mlpLayout(shape);
  const p = model.sizes[0];
  const { ws, rowIndex, wasm } = scratch;
  const input = wasm ? wasm.input : ws.acts[0];
  const { xMean, xScale, theta } = model;
  let r = r0;
  while (r < r1) {
    // Gather up to BLOCK complete rows; incomplete rows are NaN.
    let m = 0;
    for (; r < r1 && m < BLOCK; r++) {
      const o = r * p;
      let ok = true;
      for (let j = 0; j < p; j++) {
        const v = x[o + j];
        if (v - v !== 0) {
          ok = false;
          break;
        }
        input[m * p + j] = (v - xMean[j]) / xScale[j];
      }
      if (ok) rowIndex[m++] = r;
      else out[r] = Number.NaN;
    }
    if (m === 0) continue;
    if (wasm) {
      wasm.run(m);
      const y = wasm.output;
      const stride = wasm.outputStride;
      for (let i = 0; i < m; i++) out[rowIndex[i]] = y[i * stride] * model.yScale + model.yMean;
    } else {
      const y = forward(shape, layout, theta, ws, m);
      for (let i = 0; i < m; i++) out[rowIndex[i]] = y[i] * model.yScale + model.yMean;
    }
  }
}

/**
 * Predictions for `rows` rows of `x` on the calling thread. `useWasm: false` forces the JS kernels
 * (the bytes are the same either way).
 */
export function predictRows(model: MlpModel, x: Float32Array, rows: number, useWasm = true): Float32Array {
  const out = new Float32Array(rows);
  predictRange(model, x, 0, rows, out, scratchFor(model, useWasm));
  return out;
}

/**
 * Worker entry (`predictClaimedTask`): `x` and `out` live in `SharedArrayBuffer`s seen by every
 * worker; each worker repeatedly claims the next `CLAIM_ROWS` rows from `counter[0]` (atomic) until
 * none are left, so the model crosses to each thread once and no rows are copied back. Returns the
 * rows this worker predicted.
 */
export function predictClaimed(model: MlpModel, x: Float32Array, rows: number, out: Float32Array, counter: Int32Array): number {
  const scratch = scratchFor(model, true);
  let done = 0;
  for (;;) {
    const r0 = Atomics.add(counter, 0, 1) * CLAIM_ROWS;
    if (r0 >= rows) return done;
    const r1 = Math.min(rows, r0 + CLAIM_ROWS);
    predictRange(model, x, r0, r1, out, scratch);
    done += r1 - r0;
  }
}

/** `predictClaimed` on worker threads. */
export const predictClaimedTask = workerTask(import.meta.url, { predictClaimed });
