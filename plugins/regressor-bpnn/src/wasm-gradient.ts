import type { MlpLayout, MlpShape } from './mlp.js';
import { instantiateDense, pad4 } from './wasm-forward.js';

/**
 * `batchGradient` (ReLU nets) on the WebAssembly SIMD `dense` kernel: the three products of a
 * training step are all `dense` calls —
 * forward `A_l = relu(A_{l−1}·W_lᵀ + b_l)`, back-propagation `D_{l−1} = (D_l·W_l) ⊙ [A_{l−1} > 0]` (the
 * ReLU derivative as the kernel's mask), and the weight gradient `G_l = D_lᵀ·A_{l−1}` (`D_l` read
 * transposed through the kernel's strides: output units as its "rows", batch rows as its "inputs"). Every value is summed in the order `batchGradient` uses, so the bytes are the
 * same (tested); only the speed differs.
 */
export interface WasmGradient {
  /** Inputs of the batch: row `i` at `input[i · inputStride + j]` (padding columns ignored). */
  readonly input: Float64Array;
  readonly inputStride: number;
  readonly target: Float64Array;
  /** Loads the weights into the kernel's layouts (once per batch: both halves share them). */
  setWeights(theta: Float64Array): void;
  /** Gradient of `scale · ½ Σ (ŷ − y)²` over the first `rows` rows into `grad` (assigned), at the weights last set; returns Σ (ŷ − y)². */
  compute(rows: number, scale: number, grad: Float64Array): number;
}

/** A WebAssembly gradient engine for batches of up to `capacity` rows, or `null` (non-ReLU net, no SIMD). */
export function createWasmGradient(shape: MlpShape, layout: MlpLayout, capacity: number): WasmGradient | null {
  const sizes = shape.sizes;
  const L = sizes.length - 1;
  if (shape.activation !== 'relu' && L > 1) return null;
  const cap = pad4(Math.max(1, capacity));
  const widths = sizes.map(pad4);
  const maxWidth = Math.max(...widths);
  // f64 offsets of every buffer in the instance's memory.
  let at = 0;
  const take = (n: number) => {
    const o = at;
    at += n;
    return o;
  };
  const wIn = [0];
  const bias = [0];
  const wOut = [0];
  for (let l = 1; l <= L; l++) {
    wIn.push(take(sizes[l - 1] * widths[l])); // input-major, for the forward product
    bias.push(take(widths[l]));
    wOut.push(take(sizes[l] * widths[l - 1])); // output-major, for back-propagation
  }
  const zeros = take(maxWidth);
  const acts = widths.map((w) => take(cap * w));
  const deltas = widths.map((w) => take(cap * w));
  const g = take(maxWidth * maxWidth);
  const instance = instantiateDense(at);
  if (!instance) return null;
  const { dense, f64 } = instance;
  const relu = shape.activation === 'relu';
  const target = new Float64Array(cap);
  const biasSum = new Float64Array(maxWidth);

  return {
    input: f64.subarray(acts[0], acts[0] + cap * widths[0]),
    inputStride: widths[0],
    target,
    setWeights(theta) {
      for (let l = 1; l <= L; l++) {
        const nin = sizes[l - 1];
        const nout = sizes[l];
        const w0 = layout.weightOffset[l - 1];
        const b0 = layout.biasOffset[l - 1];
        const wi = wIn[l];
        const wo = wOut[l];
        const stepIn = widths[l];
        const stepOut = widths[l - 1];
        for (let j = 0; j < nout; j++) {
          const t = w0 + j * nin;
          for (let k = 0; k < nin; k++) {
            const v = theta[t + k];
            f64[wi + k * stepIn + j] = v;
            f64[wo + j * stepOut + k] = v;
          }
          f64[bias[l] + j] = theta[b0 + j];
        }
      }
    },
    compute(rows, scale, grad) {
      const rows4 = pad4(rows);
      for (let l = 1; l <= L; l++) {
        dense(acts[l - 1] * 8, widths[l - 1], 1, rows4, sizes[l - 1], wIn[l] * 8, bias[l] * 8, widths[l], acts[l] * 8, relu && l < L ? 1 : 0, 0);
      }
      const out = acts[L];
      const dOut = deltas[L];
      const so = widths[L];
      let sse = 0;
      for (let r = 0; r < rows; r++) {
        const e = f64[out + r * so] - target[r];
        sse += e * e;
        f64[dOut + r * so] = e * scale;
      }
      for (let l = L; l >= 1; l--) {
        const nin = sizes[l - 1];
        const nout = sizes[l];
        const sd = widths[l];
        const sa = widths[l - 1];
        const d = deltas[l];
        // G[j, k] = Σ_r D[r, j] · A[r, k]: the kernel's rows are output units (D read transposed via
        // its strides), its inputs the batch rows.
        dense(d * 8, 1, sd, pad4(nout), rows, acts[l - 1] * 8, zeros * 8, sa, g * 8, 0, 0);
        const w0 = layout.weightOffset[l - 1];
        const b0 = layout.biasOffset[l - 1];
        for (let j = 0; j < nout; j++) {
          const go = g + j * sa;
          const t = w0 + j * nin;
          for (let k = 0; k < nin; k++) grad[t + k] = f64[go + k];
        }
        // Bias gradients Σ_r D[r, j], each summed in row order; rows outer keeps the accumulators independent.
        biasSum.fill(0, 0, nout);
        for (let r = 0; r < rows; r++) {
          const o = d + r * sd;
          for (let j = 0; j < nout; j++) biasSum[j] += f64[o + j];
        }
        for (let j = 0; j < nout; j++) grad[b0 + j] = biasSum[j];
        if (l === 1) break;
        // D_{l−1} = (D_l · W_l) ⊙ [A_{l−1} > 0], the ReLU derivative applied as the kernel's mask.
        dense(d * 8, sd, 1, rows4, nout, wOut[l] * 8, zeros * 8, sa, deltas[l - 1] * 8, 0, relu ? acts[l - 1] * 8 : 0);
      }
      return sse;
    },
  };
}
