import { forward, mlpLayout, mlpWorkspace, type Activation } from './mlp.js';

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

const BLOCK = 256;

/**
 * Predictions for `rows` rows of `x` (row-major, `cols` = inputs): standardise, forward, un-scale.
 * Rows with a non-finite feature give NaN. Each row's arithmetic is independent of its block, so any
 * tiling (threads) gives the same bytes. Runs on worker threads (`fn: 'predictRows'`) or inline.
 */
export function predictRows(model: MlpModel, x: Float32Array, rows: number): Float32Array {
  const shape = { sizes: model.sizes, activation: model.activation };
  const layout = mlpLayout(shape);
  const p = model.sizes[0];
  const ws = mlpWorkspace(shape, BLOCK);
  const input = ws.acts[0];
  const out = new Float32Array(rows);
  const rowIndex = new Int32Array(BLOCK);
  const { xMean, xScale, theta } = model;
  let r = 0;
  while (r < rows) {
    // Gather up to BLOCK complete rows; incomplete rows are NaN.
    let m = 0;
    for (; r < rows && m < BLOCK; r++) {
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
    const y = forward(shape, layout, theta, ws, m);
    for (let i = 0; i < m; i++) out[rowIndex[i]] = y[i] * model.yScale + model.yMean;
  }
  return out;
}
