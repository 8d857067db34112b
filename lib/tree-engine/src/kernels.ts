/**
 * Worker-thread entry points of the tree engine (run through the typed tasks at the end). Each is a thin
 * wrapper so the same code runs inline (1 thread) and on workers.
 */
import { runBoostWorker, type BoostShared } from './boost-shards.js';
import { growForestChunk, type ForestChunkOptions, type ForestChunkResult } from './forest-chunk.js';
import type { BinnedMatrix } from './grow-tree.js';
import { predictPacked, type Combine, type PackedForest } from './packed-forest.js';
import { workerTask } from '../../../core/kernel.js';

export function forestChunk(matrix: BinnedMatrix, y: Float32Array, weight: Float32Array | null, options: ForestChunkOptions): ForestChunkResult {
  return growForestChunk(matrix, y, weight, options);
}

export function predictChunk(forest: PackedForest, x: Float32Array, cols: number, rowStart: number, rowEnd: number, combine: Combine) {
  return predictPacked(forest, x, cols, rowStart, rowEnd, combine);
}

/** A helper thread of a boosting fit: follows the fit's control block until it stops (see boost-shards.ts). */
export function boostWorker(shared: BoostShared): number {
  return runBoostWorker(shared);
}

/** The tree-engine kernels on worker threads. */
export const forestChunkTask = workerTask(import.meta.url, { forestChunk });
export const predictChunkTask = workerTask(import.meta.url, { predictChunk });
export const boostWorkerTask = workerTask(import.meta.url, { boostWorker });
