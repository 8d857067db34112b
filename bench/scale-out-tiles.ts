/**
 * Tile functions of the scale-out benchmark (workers import them by URL, like any stage's task).
 */
import { workerTask } from '../core/kernel.js';
import type { TileArgs, TileOutputs } from '../core/index.js';

/** One array copied: a tile whose work is negligible, so its wall time is the executor's per-tile overhead. */
export function copyTile(tile: TileArgs<Record<string, never>>): TileOutputs {
  return { out: tile.inputs.x.values.map((v) => Float32Array.from(v)) };
}
export const copyTileTask = workerTask(import.meta.url, { copyTile });

/** `dates` outputs from one static layer (x·(1 + d/100) + d/1000): a multi-date product from a single large input. */
export function dailyTile(tile: TileArgs<{ readonly dates: number }>): TileOutputs {
  const x = tile.inputs.x.values[0];
  return {
    out: Array.from({ length: tile.params.dates }, (_, d) => {
      const o = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) o[i] = x[i] * (1 + d / 100) + d / 1000;
      return o;
    }),
  };
}
export const dailyTileTask = workerTask(import.meta.url, { dailyTile });
