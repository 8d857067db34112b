/** The tiled engine (issue 15): what hosts, executors and the bench use. Plugins need only the types (from `soilscale`). */
export type * from './types.js';
export { DEFAULT_TILE_SIZE, MIN_PARALLEL_TILE_EDGE, stageWindows, tileWindows, tileRows, inputWindow } from './windows.js';
export { storePaths, stageHash, readStage, writeStage, finishedRecord, tileLabel } from './store.js';
export { readTileInput, readRawWindow } from './read-input.js';
export { writeTileBlock, readTileBlock } from './block-file.js';
export { runTileJob, type TileWorkerEnv } from './run-tile.js';
export { createTileModelLoader, instantiatingModelLoader } from './model-loader.js';
export { stagePluginsTileTask, runTileWithStagePlugins, type TileJobTask } from './core-worker.js';
export { createInProcessExecutor, createLocalExecutor } from './local-executor.js';
export { createTileService, runTileStage, type TileServiceOptions, type TileStageStats } from './service.js';
export { assembleSeries, readStrip, streamStageToCogs, streamOutputToCogs, type StreamedCount } from './assemble.js';
export { tileBackedOutputs, streamableTileOutput, type TileOutputRef } from './tile-series.js';
