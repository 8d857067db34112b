/**
 * Histogram accumulation as a WebAssembly kernel: the hot loop of tree growth (`h[code·3] += 1,
 * h[code·3 + 1] += w, h[code·3 + 2] += w·y` over a node's rows). V8 runs the JS loop at ~8 ns per
 * row × feature here; the kernel, free of bounds checks and with plain address arithmetic, at ~2 ns.
 * It adds in the same order as the JS loop, so histograms (and trees) are the same bytes.
 *
 * The kernel reads the bin codes, the node's row ids, weights and weighted targets from its own memory:
 * the grower keeps those arrays as views of it (`HistogramMemory`), and histograms are accumulated into
 * `scratch`, one region of `nb3` values per feature plus one for single-feature searches.
 */
import { ins, lazyWasmKernel, uleb, wasmKernelModuleBytes, wasmVector, type WasmKernelInstance, type WasmMemory } from '../../../core/kernel.js';
import type { BinCodes } from './binning.js';

const I32 = 0x7f;
/** Kernel parameters (all i32 byte addresses but `n`) and its one local. */
const [CODES, HIST, IDX, W, WY, N, K] = [0, 1, 2, 3, 4, 5, 6];
const get = (i: number) => ins('local.get', i);
const set = (i: number) => ins('local.set', i);
const i32 = (v: number) => ins('i32.const', v);
/** `h[k + offset] += value` (the value's instructions leave one f64 on the stack). */
const addAt = (offset: number, value: number[]) => [...get(K), ...get(K), ...ins('f64.load', offset), ...value, ...ins('f64.add'), ...ins('f64.store', offset)];
/** `p += step`. */
const advance = (p: number, step: number) => [...get(p), ...i32(step), ...ins('i32.add'), ...set(p)];

/**
 * `(codes, h, idx, w, wy, n)`: for `j < n`, `code = codes[idx[j]]` (u8 or u16), then
 * `h[3·code] += 1; h[3·code + 1] += w[j]` (weighted only) `; h[3·code + 2] += wy[j]`.
 */
function kernelBody(wide: boolean, weighted: boolean): number[] {
  const body = [
    ...ins('block'), ...get(N), ...ins('i32.eqz'), ...ins('br_if', 0),
    ...ins('loop'),
    ...get(HIST), ...get(CODES), ...get(IDX), ...ins('i32.load'), // idx[j]
    ...(wide ? [...i32(1), ...ins('i32.shl')] : []), ...ins('i32.add'), // codes + idx[j]·bytes
    ...(wide ? ins('i32.load16_u') : ins('i32.load8_u')), // the code
    ...i32(24), ...ins('i32.mul'), ...ins('i32.add'), ...ins('local.set', K), // k = h + 24·code
    ...addAt(0, ins('f64.const', 1)),
  ];
  if (weighted) body.push(...addAt(8, [...get(W), ...ins('f64.load')]), ...advance(W, 8));
  body.push(
    ...addAt(16, [...get(WY), ...ins('f64.load')]),
    ...advance(IDX, 4),
    ...advance(WY, 8),
    ...get(N), ...i32(1), ...ins('i32.sub'), ...ins('local.tee', N), ...ins('br_if', 0), // n -= 1; loop while n ≠ 0
    ...ins('end'), ...ins('end'), ...ins('end'), // loop, block, function
  );
  return [...wasmVector([[1, I32]]), ...body];
}

const VARIANTS = [
  ['unit8', false, false],
  ['weighted8', false, true],
  ['unit16', true, false],
  ['weighted16', true, true],
] as const;

// partition(codes, idx, w, wy, start, end, b, mb, missLeft) → the boundary; locals i, j, then the swap's temporaries.
const [P_CODES, P_IDX, P_W, P_WY, P_START, P_END, P_B, P_MB, P_MISS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [P_I, P_J, P_T] = [9, 10, 11];
const [P_F] = [12];

/**
 * `partition` of grow-tree.ts: reorder positions `start…end` (row ids and the per-position weights and
 * weighted targets with them) so rows going left (`code ≤ b`, or missing when `missLeft`) come first,
 * swapping the same pairs in the same order as the JS loop; returns the boundary. `unit`: the weights are
 * all 1 and stay in place (half the swapped bytes).
 */
function partitionBody(wide: boolean, unit = false): number[] {
  /** Whether position `p` goes left: `code ≤ b | (code == mb & missLeft)`. */
  const goesLeft = (p: number) => [
    ...get(P_CODES), ...get(P_IDX), ...get(p), ...i32(2), ...ins('i32.shl'), ...ins('i32.add'), ...ins('i32.load'),
    ...(wide ? [...i32(1), ...ins('i32.shl')] : []), ...ins('i32.add'), ...(wide ? ins('i32.load16_u') : ins('i32.load8_u')), ...set(P_T),
    ...get(P_T), ...get(P_B), ...ins('i32.le_u'), ...get(P_T), ...get(P_MB), ...ins('i32.eq'), ...get(P_MISS), ...ins('i32.and'), ...ins('i32.or'),
  ];
  const at = (base: number, p: number, shift: number) => [...get(base), ...get(p), ...i32(shift), ...ins('i32.shl'), ...ins('i32.add')];
  const swapI32 = [...at(P_IDX, P_I, 2), ...ins('i32.load'), ...set(P_T), ...at(P_IDX, P_I, 2), ...at(P_IDX, P_J, 2), ...ins('i32.load'), ...ins('i32.store'), ...at(P_IDX, P_J, 2), ...get(P_T), ...ins('i32.store')];
  const swapF64 = (base: number) => [
    ...at(base, P_I, 3), ...ins('f64.load'), ...set(P_F),
    ...at(base, P_I, 3), ...at(base, P_J, 3), ...ins('f64.load'), ...ins('f64.store'),
    ...at(base, P_J, 3), ...get(P_F), ...ins('f64.store'),
  ];
  const scan = (p: number, stopWhenLeft: boolean, step: number) => [
    ...ins('block'), ...ins('loop'),
    ...get(P_I), ...get(P_J), ...ins('i32.gt_s'), ...ins('br_if', 1),
    ...goesLeft(p), ...(stopWhenLeft ? [] : ins('i32.eqz')), ...ins('br_if', 1),
    ...get(p), ...i32(step), ...ins('i32.add'), ...set(p), ...ins('br', 0),
    ...ins('end'), ...ins('end'),
  ];
  return [
    ...wasmVector([[3, I32], [1, 0x7c]]),
    ...get(P_START), ...set(P_I), ...get(P_END), ...i32(1), ...ins('i32.sub'), ...set(P_J),
    ...ins('block'), ...ins('loop'),
    ...scan(P_I, false, 1), // while i ≤ j and i goes left: i++
    ...scan(P_J, true, -1), // while i ≤ j and j goes right: j--
    ...get(P_I), ...get(P_J), ...ins('i32.ge_s'), ...ins('br_if', 1),
    ...swapI32, ...(unit ? [] : swapF64(P_W)), ...swapF64(P_WY),
    ...get(P_I), ...i32(1), ...ins('i32.add'), ...set(P_I), ...get(P_J), ...i32(1), ...ins('i32.sub'), ...set(P_J),
    ...ins('br', 0), ...ins('end'), ...ins('end'),
    ...get(P_I), ...ins('end'),
  ];
}

/** The module (exported for its listing and call count); its memory is shared, so a boosting fit's threads work on one copy. */
export const histogramKernel = lazyWasmKernel(
  () =>
    wasmKernelModuleBytes(
      [
        ...VARIANTS.map(([name, wide, weighted]) => ({ name, params: 6, body: kernelBody(wide, weighted) })),
        { name: 'partition8', params: 9, returnsI32: true, body: partitionBody(false) },
        { name: 'partition16', params: 9, returnsI32: true, body: partitionBody(true) },
        { name: 'partitionUnit8', params: 9, returnsI32: true, body: partitionBody(false, true) },
        { name: 'partitionUnit16', params: 9, returnsI32: true, body: partitionBody(true, true) },
      ],
      { sharedMemory: true },
    ),
  { sharedMemory: true },
);

type Kernel = (codes: number, h: number, idx: number, w: number, wy: number, n: number) => void;

/** A grower's arrays in the kernel's memory. */
export interface HistogramMemory {
  /** The (shared) memory, for `attachHistogramMemory` on another thread. */
  readonly memory: WasmMemory;
  /** The bin codes the kernel reads (copied in by `createHistogramMemory`). */
  readonly codes: BinCodes;
  /** Row ids of the sample being grown (room for every row). */
  readonly indices: Int32Array;
  /** Per-position weights and weighted targets, permuted with `indices`. */
  readonly weight: Float64Array;
  readonly weightedTarget: Float64Array;
  /** `regions` histogram regions of `nb3` values (by default `cols + 1`: one per feature, and the last for single-feature searches). */
  readonly scratch: Float64Array;
  /** Adds positions `start…end` of feature `f` into `scratch` from value `offset` on (weights 1 when `unitWeights`). */
  accumulate(f: number, start: number, end: number, unitWeights: boolean, offset: number): void;
  /**
   * Splits positions `start…end` on feature `f` after bin `b` (missing values left when `missLeft` is 1); returns
   * the boundary. With `unitWeights` (all weights 1) the weights are not moved.
   */
  partition(f: number, start: number, end: number, b: number, missLeft: number, unitWeights?: boolean): number;
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * The kernel's memory for a binned matrix (the codes copied in once), or `null` without WebAssembly or
 * when the matrix is too large for 32-bit addresses.
 *
 * @example
 * ```ts
 * const mem = createHistogramMemory(codes, rows, cols, nb3)!;
 * mem.indices.set(sampleRows); mem.weightedTarget.set(wy);
 * mem.scratch.fill(0, 0, nb3);
 * mem.accumulate(0, 0, sampleRows.length, true, 0); // feature 0's histogram in scratch[0 … nb3)
 * ```
 */
export function createHistogramMemory(codes: BinCodes, rows: number, cols: number, nb3: number, regions = cols + 1): HistogramMemory | null {
  const layout = layoutOf(rows, cols, nb3, codes.BYTES_PER_ELEMENT, regions);
  // Bigger training sets than a kernel's memory takes stay on the JS loop (same bytes).
  const instance = histogramKernel.instantiate(layout.end);
  if (!instance) return null;
  const memory = viewsOf(instance, layout);
  memory.codes.set(codes);
  return memory;
}

/** The same arrays as `createHistogramMemory` made with these sizes, on its memory (from another thread); `null` without WebAssembly. */
export function attachHistogramMemory(memory: WasmMemory, rows: number, cols: number, nb3: number, codeBytes: number, regions: number): HistogramMemory | null {
  const instance = histogramKernel.instantiateOn(memory);
  return instance && viewsOf(instance, layoutOf(rows, cols, nb3, codeBytes, regions));
}

interface Layout {
  readonly rows: number;
  readonly cols: number;
  readonly nb3: number;
  readonly codeBytes: number;
  readonly regions: number;
  readonly indexAt: number;
  readonly weightAt: number;
  readonly targetAt: number;
  readonly scratchAt: number;
  readonly end: number;
}

function layoutOf(rows: number, cols: number, nb3: number, codeBytes: number, regions: number): Layout {
  const indexAt = align8(rows * cols * codeBytes);
  const weightAt = align8(indexAt + rows * 4);
  const targetAt = weightAt + rows * 8;
  const scratchAt = targetAt + rows * 8;
  return { rows, cols, nb3, codeBytes, regions, indexAt, weightAt, targetAt, scratchAt, end: scratchAt + regions * nb3 * 8 };
}

function viewsOf(instance: WasmKernelInstance, l: Layout): HistogramMemory {
  const { rows, codeBytes, indexAt, weightAt, targetAt, scratchAt } = l;
  const exports = instance.exports;
  const wide = codeBytes === 2;
  const unit = exports[wide ? 'unit16' : 'unit8'] as Kernel;
  const weighted = exports[wide ? 'weighted16' : 'weighted8'] as Kernel;
  const split = exports[wide ? 'partition16' : 'partition8'] as (...args: number[]) => number;
  const splitUnit = exports[wide ? 'partitionUnit16' : 'partitionUnit8'] as (...args: number[]) => number;
  const missingBin = l.nb3 / 3 - 1;
  const buffer = instance.buffer;
  return {
    memory: instance.memory,
    codes: wide ? new Uint16Array(buffer, 0, rows * l.cols) : new Uint8Array(buffer, 0, rows * l.cols),
    indices: new Int32Array(buffer, indexAt, rows),
    weight: new Float64Array(buffer, weightAt, rows),
    weightedTarget: new Float64Array(buffer, targetAt, rows),
    scratch: new Float64Array(buffer, scratchAt, l.regions * l.nb3),
    accumulate(f, start, end, unitWeights, offset) {
      if (end <= start) return;
      (unitWeights ? unit : weighted)(f * rows * codeBytes, scratchAt + offset * 8, indexAt + start * 4, weightAt + start * 8, targetAt + start * 8, end - start);
    },
    partition(f, start, end, b, missLeft, unitWeights = false) {
      return (unitWeights ? splitUnit : split)(f * rows * codeBytes, indexAt, weightAt, targetAt, start, end, b, missingBin, missLeft);
    },
  };
}
