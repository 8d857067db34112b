import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import type { AnyFunction, WorkerTask } from './worker-task.js';

/**
 * Runs tasks on worker threads. Results must not depend on the number of threads: split work into
 * tiles (or trees) whose results are combined in a fixed order.
 *
 * Typed arrays in `args` are copied unless listed in `transfer` or backed by a `SharedArrayBuffer`.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { pathToFileURL } from 'node:url';
 * // A kernel module: in a plugin, src/kernel.ts declaring its own `workerTask(import.meta.url, { sumTile })`.
 * writeFileSync('out/sum-kernel.mjs', 'export function sumTile(a) { let s = 0; for (const v of a) s += v; return s; }');
 * const sumTileTask: WorkerTask<(a: Float32Array) => number> = { module: pathToFileURL('out/sum-kernel.mjs').href, fn: 'sumTile' };
 * const sums = await Promise.all(tiles.map((t) => context.workers.run(sumTileTask, [t])));
 * ```
 */
export interface WorkerPool {
  /** Number of threads tasks run on (1 means tasks run on the calling thread, in order). */
  readonly size: number;
  run<F extends AnyFunction>(task: WorkerTask<F>, args: Parameters<F>, transfer?: readonly ArrayBuffer[]): Promise<Awaited<ReturnType<F>>>;
  close(): Promise<void>;
}

const WORKER_SOURCE = `
import { parentPort } from 'node:worker_threads';
const modules = new Map();
parentPort.on('message', async ({ id, module, fn, args }) => {
  try {
    let mod = modules.get(module);
    if (!mod) { mod = await import(module); modules.set(module, mod); }
    const f = mod[fn];
    if (typeof f !== 'function') throw new Error('worker task: ' + module + ' has no export ' + fn);
    const result = await f(...args);
    const transfer = [];
    collectTransfer(result, transfer, 0);
    parentPort.postMessage({ id, ok: true, result }, transfer);
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: { message: String(e && e.message || e), stack: e && e.stack, name: e && e.name } });
  }
});
function collectTransfer(v, out, depth) {
  if (!v || typeof v !== 'object' || depth > 3) return;
  if (ArrayBuffer.isView(v)) {
    if (v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && !out.includes(v.buffer)) out.push(v.buffer);
    return;
  }
  for (const k of Object.keys(v)) collectTransfer(v[k], out, depth + 1);
}
`;

interface QueuedTask {
  readonly module: string;
  readonly fn: string;
  readonly args: readonly unknown[];
  readonly transfer: readonly ArrayBuffer[];
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

/** Default thread count: the machine's cores (2 here), or `SOILSCALE_THREADS`. */
export function defaultThreadCount(): number {
  const env = Number(process.env.SOILSCALE_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : Math.max(1, availableParallelism());
}

/**
 * A pool of `size` worker threads started lazily on first use. With `size` 1 tasks run inline
 * (same code path as the workers, no thread), which keeps small runs and tests cheap.
 */
export function createWorkerPool(size = defaultThreadCount()): WorkerPool {
  if (size <= 1) return createInlinePool();
  const slots: Slot[] = [];
  const queue: Array<{ task: QueuedTask; id: number }> = [];
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    // workerData must be an object: geotiff's web-worker shim destructures it in any non-main thread.
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: {} });
    worker.unref();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: { message: string; stack?: string; name?: string } }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      slot.busy = false;
      if (p) {
        if (msg.ok) p.resolve(msg.result);
        else {
          const err = new Error(msg.error?.message ?? 'worker task failed');
          if (msg.error?.stack) err.stack = msg.error.stack;
          p.reject(err);
        }
      }
      pump();
    });
    worker.on('error', (e) => {
      // A crashed worker fails its task; replace it so the pool keeps its size.
      for (const [id, p] of pending) {
        if ((slot as { current?: number }).current === id) {
          pending.delete(id);
          p.reject(e);
        }
      }
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      if (!closed) pump();
    });
    slots.push(slot);
    return slot;
  };

  const pump = (): void => {
    while (queue.length > 0) {
      let slot = slots.find((s) => !s.busy);
      if (!slot && slots.length < size) slot = spawn();
      if (!slot) return;
      const { task, id } = queue.shift()!;
      slot.busy = true;
      (slot as { current?: number }).current = id;
      slot.worker.ref();
      slot.worker.postMessage({ id, module: task.module, fn: task.fn, args: task.args }, task.transfer as ArrayBuffer[]);
    }
    if (pending.size === 0) for (const s of slots) s.worker.unref();
  };

  return {
    size,
    run<F extends AnyFunction>(task: WorkerTask<F>, args: Parameters<F>, transfer: readonly ArrayBuffer[] = []): Promise<Awaited<ReturnType<F>>> {
      if (closed) return Promise.reject(new Error('worker pool is closed'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        queue.push({ task: { module: task.module, fn: task.fn, args, transfer }, id });
        pump();
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      slots.length = 0;
    },
  };
}

function createInlinePool(): WorkerPool {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  return {
    size: 1,
    async run<F extends AnyFunction>(task: WorkerTask<F>, args: Parameters<F>): Promise<Awaited<ReturnType<F>>> {
      let mod = modules.get(task.module);
      if (!mod) {
        mod = import(task.module) as Promise<Record<string, unknown>>;
        modules.set(task.module, mod);
      }
      const f = (await mod)[task.fn];
      if (typeof f !== 'function') throw new Error(`worker task: ${task.module} has no export ${task.fn}`);
      return (await (f as F)(...args)) as Awaited<ReturnType<F>>;
    },
    async close() {},
  };
}

/**
 * Runs a worker task over consecutive chunks of `rows` rows of a row-major matrix `x` (`dims` values per row) and
 * hands each result to `onResult` with the chunk's first row. With more than one thread each chunk is copied
 * and transferred (a view would send the whole buffer); inline a view suffices. Chunks are fixed by `step`,
 * not by the thread count's timing, so results can be placed deterministically.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { pathToFileURL } from 'node:url';
 * writeFileSync('out/row-kernel.mjs', 'export function predictRows(w, x, n) { const out = new Float32Array(n); for (let r = 0; r < n; r++) out[r] = w[0] * x[2 * r] + w[1] * x[2 * r + 1]; return out; }');
 * const predictRowsTask: WorkerTask<(w: number[], x: Float32Array, n: number) => Float32Array> = { module: pathToFileURL('out/row-kernel.mjs').href, fn: 'predictRows' };
 * const { x, rows } = test; // 2 values per row
 * const out = new Float32Array(rows);
 * await runRowChunks(context.workers, x, rows, 2, 32, (part, n, transfer) => context.workers.run(predictRowsTask, [[1, 0], part, n], transfer),
 *   (res, first) => out.set(res, first));
 * assert.equal(out[5], x[10]);
 * ```
 */
export async function runRowChunks<R>(
  pool: WorkerPool,
  x: Float32Array,
  rows: number,
  dims: number,
  step: number,
  runChunk: (part: Float32Array, count: number, transfer: readonly ArrayBuffer[]) => Promise<R>,
  onResult: (result: R, firstRow: number) => void,
): Promise<void> {
  const tasks: Promise<void>[] = [];
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r1 = Math.min(rows, r0 + step);
    const part = pool.size > 1 ? x.slice(r0 * dims, r1 * dims) : x.subarray(r0 * dims, r1 * dims);
    const transfer = pool.size > 1 ? [part.buffer as ArrayBuffer] : [];
    tasks.push(runChunk(part, r1 - r0, transfer).then((res) => onResult(res, r0)));
  }
  await Promise.all(tasks);
}
