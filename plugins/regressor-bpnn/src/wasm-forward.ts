/**
 * The BPNN forward pass as a WebAssembly SIMD kernel (f64x2), for prediction.
 *
 * Why: a JS multiply-add costs ~4 instructions plus bounds checks; with f64x2 one `mul` + `add` pair
 * does two. Lanes run across output units (never across the inputs of one sum), so each output is
 * still `bias + Σ_k x_k·w_k` in input order, rounded after every multiply and add exactly like the
 * JS kernel: the bytes equal `denseForward`'s (tested).
 *
 * The module is assembled from core's instruction vocabulary (`ins`; listing in wasm-forward.wat): one exported function
 * `dense(x, xStride, xInc, rows, nin, w, b, noutPad, out, relu, mask)` that computes 4 rows × 4 outputs per pass
 * (8 f64x2 accumulators) over row-major f64 blocks, weights stored input-major (`nin × noutPad`),
 * outputs padded to a multiple of 4 (zero weights and bias), rows to a multiple of 4.
 */
import { ins, lazyWasmKernel, uleb, wasmKernelModuleBytes, wasmVector } from '../../../core/kernel.js';
import type { MlpLayout, MlpShape } from './mlp.js';

const I32 = 0x7f;
const V128 = 0x7b;
/** The instructions `dense` uses, under short names (core's vocabulary). */
const op = {
  block: ins('block'),
  loop: ins('loop'),
  if: ins('if'),
  end: ins('end'),
  br: (d: number) => ins('br', d),
  brIf: (d: number) => ins('br_if', d),
  get: (i: number) => ins('local.get', i),
  set: (i: number) => ins('local.set', i),
  tee: (i: number) => ins('local.tee', i),
  i32: (v: number) => ins('i32.const', v),
  add: ins('i32.add'),
  mul: ins('i32.mul'),
  geU: ins('i32.ge_u'),
  f64Load: (offset = 0) => ins('f64.load', offset),
  v128Load: (offset = 0) => ins('v128.load', offset),
  v128Store: (offset = 0) => ins('v128.store', offset),
  v128Zero: ins('v128.const', ...new Array<number>(16).fill(0)),
  splat: ins('f64x2.splat'),
  fadd: ins('f64x2.add'),
  fmul: ins('f64x2.mul'),
  /** pmax(a, b) = a < b ? b : a — with a = 0: `s > 0 ? s : 0`, as the JS ReLU (NaN → 0). */
  pmax: ins('f64x2.pmax'),
  /** Lane-wise a > b as all-ones / all-zeros (NaN → zeros). */
  fgt: ins('f64x2.gt'),
  and: ins('v128.and'),
};

/** The body of `dense` (locals and code). */
function denseBody(): number[] {
  // Parameters 0–10; i32 locals 11–23; v128 locals 24–35.
  const [X, XS, XI, ROWS, NIN, W, B, NOUT, OUT, RELU, MASK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [r, j, k, rowBytes, wp, xp, op0, wStep, xp1, xp2, xp3, xInc, mp] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
  const acc = [24, 25, 26, 27, 28, 29, 30, 31]; // row q, half h → acc[2q + h]
  const [w0, w1, xs, zero] = [32, 33, 34, 35];
  const body: number[] = [];
  const emit = (...parts: (number | number[])[]) => {
    for (const p of parts) {
      if (Array.isArray(p)) body.push(...p);
      else body.push(p);
    }
  };
  // rowBytes = xStride·8; xInc = xInc·8; wStep = noutPad·8
  emit(op.get(XS), op.i32(8), op.mul, op.set(rowBytes));
  emit(op.get(XI), op.i32(8), op.mul, op.set(xInc));
  emit(op.get(NOUT), op.i32(8), op.mul, op.set(wStep));
  emit(op.v128Zero, op.set(zero));
  emit(op.i32(0), op.set(r));
  emit(op.block, op.loop); // rows, 4 at a time
  emit(op.get(r), op.get(ROWS), op.geU, op.brIf(1));
  emit(op.i32(0), op.set(j));
  emit(op.block, op.loop); // outputs, 4 at a time
  emit(op.get(j), op.get(NOUT), op.geU, op.brIf(1));
  // accumulators ← bias[j … j+3]
  for (let q = 0; q < 4; q++) {
    emit(op.get(B), op.get(j), op.i32(8), op.mul, op.add, op.v128Load(0), op.set(acc[2 * q]));
    emit(op.get(B), op.get(j), op.i32(8), op.mul, op.add, op.v128Load(16), op.set(acc[2 * q + 1]));
  }
  // wp = w + j·8; xp = x + r·rowBytes; xp1..3 = the next rows
  emit(op.get(W), op.get(j), op.i32(8), op.mul, op.add, op.set(wp));
  emit(op.get(X), op.get(r), op.get(rowBytes), op.mul, op.add, op.tee(xp));
  emit(op.get(rowBytes), op.add, op.tee(xp1), op.get(rowBytes), op.add, op.tee(xp2), op.get(rowBytes), op.add, op.set(xp3));
  emit(op.i32(0), op.set(k));
  emit(op.block, op.loop); // inputs, in order
  emit(op.get(k), op.get(NIN), op.geU, op.brIf(1));
  emit(op.get(wp), op.v128Load(0), op.set(w0), op.get(wp), op.v128Load(16), op.set(w1));
  [xp, xp1, xp2, xp3].forEach((p, q) => {
    emit(op.get(p), op.f64Load(0), op.splat, op.set(xs));
    emit(op.get(acc[2 * q]), op.get(xs), op.get(w0), op.fmul, op.fadd, op.set(acc[2 * q]));
    emit(op.get(acc[2 * q + 1]), op.get(xs), op.get(w1), op.fmul, op.fadd, op.set(acc[2 * q + 1]));
  });
  emit(op.get(wp), op.get(wStep), op.add, op.set(wp));
  for (const p of [xp, xp1, xp2, xp3]) emit(op.get(p), op.get(xInc), op.add, op.set(p));
  emit(op.get(k), op.i32(1), op.add, op.set(k), op.br(0), op.end, op.end);
  // ReLU fused into the store
  emit(op.get(RELU), op.if);
  for (const a of acc) emit(op.get(zero), op.get(a), op.pmax, op.set(a));
  emit(op.end);
  // out offset of (r, j); the mask (same layout as out) keeps a value only where mask > 0
  emit(op.get(r), op.get(NOUT), op.mul, op.get(j), op.add, op.i32(8), op.mul, op.set(op0));
  emit(op.get(MASK), op.if);
  emit(op.get(MASK), op.get(op0), op.add, op.set(mp));
  for (let q = 0; q < 4; q++) {
    emit(op.get(acc[2 * q]), op.get(mp), op.v128Load(0), op.get(zero), op.fgt, op.and, op.set(acc[2 * q]));
    emit(op.get(acc[2 * q + 1]), op.get(mp), op.v128Load(16), op.get(zero), op.fgt, op.and, op.set(acc[2 * q + 1]));
    if (q < 3) emit(op.get(mp), op.get(wStep), op.add, op.set(mp));
  }
  emit(op.end);
  // out[(r + q)·noutPad + j …] ← accumulators
  emit(op.get(OUT), op.get(op0), op.add, op.set(op0));
  for (let q = 0; q < 4; q++) {
    emit(op.get(op0), op.get(acc[2 * q]), op.v128Store(0), op.get(op0), op.get(acc[2 * q + 1]), op.v128Store(16));
    if (q < 3) emit(op.get(op0), op.get(wStep), op.add, op.set(op0));
  }
  emit(op.get(j), op.i32(4), op.add, op.set(j), op.br(0), op.end, op.end);
  emit(op.get(r), op.i32(4), op.add, op.set(r), op.br(0), op.end, op.end);
  emit(op.end);
  const locals = wasmVector([[...uleb(13), I32], [...uleb(12), V128]]);
  return [...locals, ...body];
}

/**
 * `dense(x, xStride, xInc, rows, nin, w, b, noutPad, out, relu, mask)`: addresses in bytes, strides in
 * values; `x[row, k]` is at `x + 8·(row·xStride + k·xInc)` (so a transposed operand needs no copy);
 * `mask ≠ 0` keeps `out[r, j]` only where `mask[r, j] > 0` (the ReLU derivative, same layout as `out`).
 */
export type DenseFn = (x: number, xStride: number, xInc: number, rows: number, nin: number, w: number, b: number, noutPad: number, out: number, relu: number, mask: number) => void;

/** The module (exported for its listing and call count). */
export const denseKernel = lazyWasmKernel(() => wasmKernelModuleBytes([{ name: 'dense', params: 11, body: denseBody() }]));

/**
 * An instance of the `dense` kernel with its own memory of at least `doubles` f64 values (viewed as
 * `f64`; addresses passed to `dense` are `8 ×` indices into it), or `null` without WebAssembly SIMD or
 * when the buffers are too large for i32 addresses (the JS kernels give the same bytes).
 */
export function instantiateDense(doubles: number): { dense: DenseFn; f64: Float64Array } | null {
  const instance = denseKernel.instantiate(doubles * 8 + 65536);
  return instance && { dense: instance.exports.dense as DenseFn, f64: new Float64Array(instance.buffer) };
}

/** `n` rounded up to a multiple of 4 (the kernel's row and output blocking). */
export const pad4 = (n: number) => (n + 3) & ~3;

/** A network's forward pass on blocks of up to `capacity` rows, in its own WebAssembly memory. */
export interface WasmForward {
  /** Standardised inputs of the block: row `i` at `input[i · inputs + j]`. */
  readonly input: Float64Array;
  /** Runs the block's first `rows` rows; row `i`'s output is `output[i · outputStride]`. */
  run(rows: number): void;
  readonly output: Float64Array;
  readonly outputStride: number;
}

/**
 * A WebAssembly forward pass for `theta` (weights repacked input-major and padded once), or `null`
 * when WebAssembly SIMD is unavailable.
 *
 * @example
 * ```ts
 * const net = createWasmForward(shape, layout, theta, 256);
 * if (net) { net.input.set(block); net.run(rows); const y0 = net.output[0]; }
 * ```
 */
export function createWasmForward(shape: MlpShape, layout: MlpLayout, theta: Float64Array, capacity: number): WasmForward | null {
  const sizes = shape.sizes;
  const layers = sizes.length - 1;
  // Only ReLU is fused into the kernel; other activations use the JS kernels.
  if (shape.activation !== 'relu' && layers > 1) return null;
  const cap = pad4(capacity);
  const widths = sizes.map((n, l) => (l === 0 ? n : pad4(n)));
  // f64 offsets: each layer's weights (nin × noutPad) and bias (noutPad), then one buffer per layer.
  let at = 0;
  const wAt: number[] = [];
  const bAt: number[] = [];
  for (let l = 1; l <= layers; l++) {
    wAt.push(at);
    at += sizes[l - 1] * widths[l];
    bAt.push(at);
    at += widths[l];
  }
  const actAt = widths.map((w) => {
    const o = at;
    at += cap * w;
    return o;
  });
  const instance = instantiateDense(at);
  if (!instance) return null;
  const { dense, f64 } = instance;
  for (let l = 1; l <= layers; l++) {
    const nin = sizes[l - 1];
    const nout = sizes[l];
    const w0 = layout.weightOffset[l - 1];
    for (let jj = 0; jj < nout; jj++) {
      for (let kk = 0; kk < nin; kk++) f64[wAt[l - 1] + kk * widths[l] + jj] = theta[w0 + jj * nin + kk];
      f64[bAt[l - 1] + jj] = theta[layout.biasOffset[l - 1] + jj];
    }
  }
  return {
    input: f64.subarray(actAt[0], actAt[0] + cap * widths[0]),
    output: f64.subarray(actAt[layers], actAt[layers] + cap * widths[layers]),
    outputStride: widths[layers],
    run(rows) {
      const rows4 = pad4(rows);
      for (let l = 1; l <= layers; l++) {
        dense(actAt[l - 1] * 8, widths[l - 1], 1, rows4, sizes[l - 1], wAt[l - 1] * 8, bAt[l - 1] * 8, widths[l], actAt[l] * 8, l < layers ? 1 : 0, 0);
      }
    },
  };
}
