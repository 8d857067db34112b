/**
 * The packed-forest walk (`walkCodes8` in `packed-forest.ts`) as a WebAssembly kernel: four rows descend
 * one tree in lockstep with the branch-free step `child + (code > rank ? 8 : 0)`, then add the leaf value
 * to the row's sum and its square to the row's sum of squares. Free of bounds checks and with child
 * pointers stored as byte addresses, a step costs fewer instructions than V8's; the additions are those of
 * the JS walk in the same order, so predictions are the same bytes.
 *
 * One instance per forest (and thread): the nodes are copied in once, with each child pointer turned into
 * the absolute byte address of the left child; a block's 8-bit codes, row list, sums and squares live in
 * the same memory.
 */
import { ins, lazyWasmKernel, uleb, wasmKernelModuleBytes, wasmVector } from '../../../core/kernel.js';

const I32 = 0x7f;
// Parameters: the tree's root address, the rows list, row count, codes block, row width, sums, squares, value base − nodes base/2.
const [ROOT, ROWS, NROWS, CODES, COLS, SUM, SQ, VALUE] = [0, 1, 2, 3, 4, 5, 6, 7];
// Locals: loop counter, then per lane (4): node address, split word, row base, row id.
const K = 8;
const P = [9, 10, 11, 12];
const S = [13, 14, 15, 16];
const B = [17, 18, 19, 20];
const R = [21, 22, 23, 24];
const get = (i: number) => ins('local.get', i);
const set = (i: number) => ins('local.set', i);
const i32 = (v: number) => ins('i32.const', v);
const ADD = ins('i32.add');
const AND = ins('i32.and');

/** One step of lane `q`: `p = child(p) + ((rank − code) >> 30 & 8); s = split(p)`. */
function step(q: number): number[] {
  return [
    ...get(P[q]), ...ins('i32.load', 4), // left child's address
    ...get(S[q]), ...i32(0x7fff), ...AND, // rank
    ...get(B[q]), ...get(S[q]), ...i32(16), ...ins('i32.shr_u'), ...i32(0x7fff), ...AND, ...ADD, ...ins('i32.load8_u'), // the row's code of the split feature
    ...ins('i32.sub'), ...i32(30), ...ins('i32.shr_s'), ...i32(8), ...AND, ...ADD, ...ins('local.tee', P[q]),
    ...ins('i32.load'), ...set(S[q]),
  ];
}

/** Lane `q` starts at row `rows[k + q]`. */
function start(q: number): number[] {
  return [
    ...get(ROWS), ...get(K), ...i32(4), ...ins('i32.mul'), ...ADD, ...ins('i32.load', 4 * q), ...ins('local.tee', R[q]),
    ...get(COLS), ...ins('i32.mul'), ...get(CODES), ...ADD, ...set(B[q]),
    ...get(ROOT), ...set(P[q]),
    ...get(ROOT), ...ins('i32.load'), ...set(S[q]),
  ];
}

/** `sum[r] += v; sq[r] += v·v` with `v` the leaf value of lane `q` (f32 widened to f64), as the JS walk adds. */
function finish(q: number): number[] {
  // f64(value[(p − nodes)/8])
  const leaf = [...get(VALUE), ...get(P[q]), ...i32(1), ...ins('i32.shr_u'), ...ADD, ...ins('f32.load'), ...ins('f64.promote_f32')];
  const at = (base: number) => [...get(base), ...get(R[q]), ...i32(3), ...ins('i32.shl'), ...ADD];
  return [
    ...at(SUM), ...at(SUM), ...ins('f64.load'), ...leaf, ...ins('f64.add'), ...ins('f64.store'),
    ...at(SQ), ...at(SQ), ...ins('f64.load'), ...leaf, ...leaf, ...ins('f64.mul'), ...ins('f64.add'), ...ins('f64.store'),
  ];
}

/** `block loop <body> br 0 end end`: a loop left by `br_if 1`. */
const loop = (...parts: number[][]) => [...ins('block'), ...ins('loop'), ...parts.flat(), ...ins('br', 0), ...ins('end'), ...ins('end')];
/** Descend lanes `lanes` until every one reaches a leaf (a negative split word). */
function descend(lanes: number): number[] {
  const anyInside = [...get(S[0])];
  for (let q = 1; q < lanes; q++) anyInside.push(...get(S[q]), ...AND);
  const steps = Array.from({ length: lanes }, (_, q) => step(q));
  return loop(anyInside, i32(0), ins('i32.lt_s'), ins('br_if', 1), ...steps);
}

function walkBody(): number[] {
  const lanes = [0, 1, 2, 3];
  const body = [
    ...i32(0), ...set(K),
    // Four rows at a time.
    ...loop(
      [...get(K), ...i32(4), ...ADD, ...get(NROWS), ...ins('i32.gt_u'), ...ins('br_if', 1)], // k + 4 > n: leave
      ...lanes.map(start), descend(4), ...lanes.map(finish),
      [...get(K), ...i32(4), ...ADD, ...set(K)],
    ),
    // The remaining rows one at a time (lane 0).
    ...loop(
      [...get(K), ...get(NROWS), ...ins('i32.ge_u'), ...ins('br_if', 1)], // k >= n: leave
      start(0), descend(1), finish(0),
      [...get(K), ...i32(1), ...ADD, ...set(K)],
    ),
    ...ins('end'),
  ];
  return [...wasmVector([[...uleb(17), I32]]), ...body];
}

/** The module (exported for its listing and call count). */
export const forestWalkKernel = lazyWasmKernel(() => wasmKernelModuleBytes([{ name: 'walk', params: 8, body: walkBody() }]));

type WalkFn = (root: number, rows: number, nRows: number, codes: number, cols: number, sum: number, sq: number, value: number) => void;

/** A forest's nodes in a kernel's memory, with room for one block of `blockRows` rows of 8-bit codes. */
export interface WasmForestWalk {
  /** The block's codes (row-major, `cols` per row), rows to walk, and per-row sums and sums of squares. */
  readonly codes: Uint8Array;
  readonly rows: Int32Array;
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  /** Adds tree `t`'s leaf value (and its square) for the first `nRows` listed rows. */
  walk(t: number, nRows: number): void;
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * A kernel instance for a packed forest (`nodes`: two int32 per node, the second `2 ×` the left child's
 * index; `value`: per node; `roots`: per tree), or `null` without WebAssembly or when it would not fit.
 *
 * @example
 * ```ts
 * const k = createWasmForestWalk(forest.nodes, forest.value, forest.roots, 4096, cols)!;
 * k.codes.set(blockCodes); k.rows.set(denseRows); k.sum.fill(0); k.sq.fill(0);
 * for (let t = 0; t < forest.roots.length; t++) k.walk(t, denseRows.length);
 * ```
 */
export function createWasmForestWalk(nodes: Int32Array, value: Float32Array, roots: Int32Array, blockRows: number, cols: number): WasmForestWalk | null {
  const nodesAt = 8;
  const valueAt = align8(nodesAt + nodes.length * 4);
  const codesAt = align8(valueAt + value.length * 4);
  const rowsAt = align8(codesAt + blockRows * cols);
  const sumAt = align8(rowsAt + blockRows * 4);
  const sqAt = sumAt + blockRows * 8;
  const instance = forestWalkKernel.instantiate(sqAt + blockRows * 8);
  if (!instance) return null;
  const walk = instance.exports.walk as WalkFn;
  const buffer = instance.buffer;
  const packed = new Int32Array(buffer, nodesAt, nodes.length);
  for (let i = 0; i < nodes.length; i += 2) {
    packed[i] = nodes[i];
    packed[i + 1] = nodesAt + nodes[i + 1] * 4; // 2·index → the left child's byte address
  }
  new Float32Array(buffer, valueAt, value.length).set(value);
  const valueBase = valueAt - nodesAt / 2;
  return {
    codes: new Uint8Array(buffer, codesAt, blockRows * cols),
    rows: new Int32Array(buffer, rowsAt, blockRows),
    sum: new Float64Array(buffer, sumAt, blockRows),
    sq: new Float64Array(buffer, sqAt, blockRows),
    walk(t, nRows) {
      walk(nodesAt + roots[t] * 8, rowsAt, nRows, codesAt, cols, sumAt, sqAt, valueBase);
    },
  };
}
