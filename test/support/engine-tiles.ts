/**
 * The engine's own tile service for tests of tiled stages: a store in `store`, jobs on a local
 * executor of `threads` worker threads (each tile read from the store, run, written and assembled as
 * in a real run), tiles of `tileSize` pixels, and the count of tiles computed.
 */
import { createWorkerPool } from '../../core/index.js';
import { createLocalExecutor, createTileService, stagePluginsTileTask } from '../../core/tiles/index.js';
import type { TileService, WorkerPool } from '../../core/index.js';

/** One pool per thread count for the test process (threads start once; idle workers do not keep it alive). */
const pools = new Map<number, WorkerPool>();

/**
 * @example
 * ```ts
 * const tiles = engineTiles(join(dir, 'tiles-37'), 37); // 37-pixel tiles on 2 threads
 * const outputs = await tiles.run(request);
 * assert.equal(tiles.tilesRun, 12);
 * ```
 */
export function engineTiles(store: string, tileSize: number, threads = 2): Required<TileService> & { readonly tilesRun: number } {
  let tilesRun = 0;
  const service = createTileService({ store, run: 'test', scope: 'test', tileSize, executor: createLocalExecutor(pools.get(threads) ?? pools.set(threads, createWorkerPool(threads)).get(threads)!, stagePluginsTileTask), onStage: (s) => (tilesRun += s.computed) });
  return {
    run: service.run,
    runWithSummaries: service.runWithSummaries,
    get tilesRun() {
      return tilesRun;
    },
  };
}
