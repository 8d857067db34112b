/**
 * soilscale's plugin SDK (the package entry `soilscale`): the data model, the plugin kinds and their
 * contract, the context core gives a plugin, params resolution, and the I/O, grid, table and metric
 * helpers methods are built from. Plugins import only from here (or `core/kernel.ts` on worker
 * threads). Running pipelines, the registry and the report are the host's: `core/host.ts`
 * (`soilscale/host`).
 */
export * from './errors.js';
export * from './model/grid.js';
export * from './model/raster.js';
export * from './model/series.js';
export * from './model/scene.js';
export * from './model/stations.js';
export * from './model/table.js';
export * from './plugin/artifact.js';
export * from './plugin/kinds.js';
export * from './plugin/kind-record.js';
export * from './plugin/manifest.js';
export * from './plugin/params.js';
export * from './plugin/params-type.js';
export * from './plugin/define-plugin.js';
export * from './plugin/context.js';
export * from './plugin/summary-stage.js';
export * from './plugin/saved-model.js';
export * from './plugin/downscale-target.js';
export * from './plugin/tsyringe-adapter.js';
export * from './services/cache.js';
export * from './services/logger.js';
export * from './services/progress.js';
export * from './services/worker-pool.js';
export * from './services/worker-task.js';
export type * from './tiles/types.js';
export { registerCompositeModel, type CompositeModelLoader } from './tiles/model-loader.js';
export * from './util/random.js';
export * from './io/atomic-file.js';
export * from './io/saved-model-file.js';
export * from './crs/index.js';
export * from './metrics/index.js';
export * from './io/geotiff-read.js';
export * from './io/readers.js';
export * from './table/index.js';
export * from './grid-ops/index.js';
export * from './io/geotiff-write.js';
export { readLayersSync } from './io/layer-read-sync.js'; // with `layerBackedSeries`: a source's layers kept in their files
export { timeOwner, filterDates, maskSeries, mergeByDate, mergeByRegion, concatTables, cellIndex, levelRegions, conserveCellMeans, type MergeResult, type PartSeries, type TimePart, type ShiftResult, type LevelResult, type ConserveResult } from './pipeline/partition.js';
export * from './stations/index.js';
export * from './stac/index.js';
export * from './util/linear-algebra.js';
export * from './util/wasm-binary.js';
export * from './util/cleanup-on-signal.js';
