import type { Activation } from './mlp.js';

/** Slots of the shared control array (`Int32Array` over a SharedArrayBuffer). */
export const CTRL = {
  /** Batch sequence number posted by the main thread; −1 asks the worker to return. */
  seq: 0,
  /** Sequence number of the last batch the worker finished. */
  done: 1,
  /** Rows in the worker's half of the current batch. */
  rows: 2,
  /** Rows in the whole batch (the gradient is of the batch mean). */
  batchRows: 3,
  /** 1 once the worker is waiting for batches. */
  ready: 4,
  length: 5,
} as const;

/** What the main thread and the gradient worker share (all views on SharedArrayBuffers, sent once). */
export interface SharedTraining {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  /** Largest half batch. */
  readonly halfCapacity: number;
  readonly ctrl: Int32Array;
  /** The current weights (written by the main thread between batches). */
  readonly theta: Float64Array;
  /** The worker's half-batch gradient, and its sum of squared errors in `sse[0]`. */
  readonly grad: Float64Array;
  readonly sse: Float64Array;
  /** Row indices of the worker's half of the current batch. */
  readonly rows: Int32Array;
  /** Standardised training inputs (row-major) and targets. */
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** Spins before sleeping: the other side usually answers within microseconds, a futex wake-up costs more. */
const SPINS = 20_000;
/** A side that waits longer than this for the other has lost it (worker crashed, main thread gone). */
export const STALL_MS = 120_000;

/** Waits until `ctrl[i]` differs from `from` (spin, then futex wait) and returns the new value; `null` on a stall. */
export function waitChange(ctrl: Int32Array, i: number, from: number): number | null {
  for (let s = 0; s < SPINS; s++) {
    const v = Atomics.load(ctrl, i);
    if (v !== from) return v;
  }
  const t0 = Date.now();
  for (;;) {
    Atomics.wait(ctrl, i, from, 1000);
    const v = Atomics.load(ctrl, i);
    if (v !== from) return v;
    if (Date.now() - t0 > STALL_MS) return null;
  }
}
