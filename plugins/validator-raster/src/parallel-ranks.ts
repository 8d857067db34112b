/**
 * Spearman ρ and KL of the per-date samples on the worker pool's threads while this thread ranks the
 * pooled sample: the ranks are most of what the validator does after its tiles, and each sample's
 * metrics are one pure function of its pairs, so where they run changes no bit.
 */
import { rankMetricsOfPairs, workerTask, type RankMetrics, type WorkerPool } from '../../../core/index.js';
import type { SamplePairs } from './rank-sample.js';

/** The rank metrics of each sample, in order (a worker task). */
export function rankSamples(samples: readonly SamplePairs[]): RankMetrics[] {
  return samples.map((s) => rankMetricsOfPairs(s.product, s.reference));
}

export const rankSamplesTask = workerTask(import.meta.url, { rankSamples });

/**
 * `rankSamples(dates)` in `workers.size` runs of consecutive dates of about equal pair counts (their
 * arrays are moved to the threads, not copied: the caller must not use them after), and the pooled
 * sample's metrics computed here meanwhile.
 */
export async function rankInParallel(workers: WorkerPool, dates: readonly SamplePairs[], pooled: SamplePairs): Promise<{ dates: RankMetrics[]; pooled: RankMetrics }> {
  if (workers.size <= 1) return { dates: rankSamples(dates), pooled: rankMetricsOfPairs(pooled.product, pooled.reference) };
  const total = dates.reduce((n, s) => n + s.product.length, 0);
  const runs: SamplePairs[][] = [[]];
  let filled = 0;
  for (const s of dates) {
    if (filled >= (total * runs.length) / workers.size && runs.length < workers.size) runs.push([]);
    runs[runs.length - 1].push(s);
    filled += s.product.length;
  }
  const pending = runs.map((run) => workers.run(rankSamplesTask, [run], uniqueBuffers(run)));
  const pooledRanks = rankMetricsOfPairs(pooled.product, pooled.reference);
  return { dates: (await Promise.all(pending)).flat(), pooled: pooledRanks };
}

function uniqueBuffers(samples: readonly SamplePairs[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const s of samples) for (const a of [s.product, s.reference]) buffers.add(a.buffer as ArrayBuffer);
  return [...buffers];
}
