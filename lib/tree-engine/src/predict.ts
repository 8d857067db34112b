import type { WorkerPool } from '../../../core/index.js';
import { predictPacked, type Combine, type PackedForest } from './packed-forest.js';

import { predictChunkTask } from './kernels.js';
/** Rows per worker task: large enough to amortise messaging, small enough to balance two threads. */
const ROWS_PER_TASK = 32_768;

/**
 * Predict every row of a row-major matrix with a packed forest, in row blocks spread over the pool's
 * threads. Each row's result is computed the same way whatever the thread count.
 *
 * @example
 * ```ts
 * const { mean, spread } = await predictForestRows(packForest(trees), table.x, table.rows, 12, { kind: 'mean', spread: true }, context.workers);
 * ```
 */
export async function predictForestRows(
  forest: PackedForest,
  x: Float32Array,
  rows: number,
  cols: number,
  combine: Combine,
  workers: WorkerPool,
): Promise<{ mean: Float32Array; spread?: Float32Array }> {
  if (workers.size <= 1 || rows <= ROWS_PER_TASK) return predictPacked(forest, x, cols, 0, rows, combine);
  // Share the features with the workers instead of copying them into every message.
  let shared = x;
  if (!(x.buffer instanceof SharedArrayBuffer)) {
    shared = new Float32Array(new SharedArrayBuffer(rows * cols * 4));
    shared.set(x.subarray(0, rows * cols));
  }
  const mean = new Float32Array(rows);
  const spread = combine.kind === 'mean' && combine.spread ? new Float32Array(rows) : undefined;
  const tasks: Promise<void>[] = [];
  for (let start = 0; start < rows; start += ROWS_PER_TASK) {
    const end = Math.min(rows, start + ROWS_PER_TASK);
    tasks.push(
      workers
        .run(predictChunkTask, [forest, shared, cols, start, end, combine])
        .then((r) => {
          mean.set(r.mean, start);
          if (spread && r.spread) spread.set(r.spread, start);
        }),
    );
  }
  await Promise.all(tasks);
  return spread ? { mean, spread } : { mean };
}
