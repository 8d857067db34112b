/**
 * The BullMQ sandboxed processor of `soilscale worker`: BullMQ forks a child process that imports this
 * module and calls its default export for each job, so the tile's CPU work never blocks the worker's
 * lock renewal. A job is a `TileJob`; the tile's block and record land in the run's tile store.
 */
import type { SandboxedJob } from 'bullmq';
import { runTileWithBuiltins, type TileJob, type TileRecord } from '../host/index.js';

export default function processTileJob(job: SandboxedJob<TileJob>): Promise<TileRecord> {
  return runTileWithBuiltins(job.data);
}
