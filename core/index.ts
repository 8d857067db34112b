/**
 * soilscale core: the public entry. Plugins import only from here.
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
export * from './plugin/manifest.js';
export * from './plugin/context.js';
export * from './plugin/saved-model.js';
export * from './plugin/downscale-target.js';
export * from './services/cache.js';
export * from './services/logger.js';
export * from './services/progress.js';
export * from './services/worker-pool.js';
export * from './util/random.js';
export * from './io/atomic-file.js';
export * from './crs/index.js';
export * from './metrics/index.js';
export * from './io/geotiff-read.js';
export * from './table/index.js';
export * from './grid-ops/index.js';
export * from './io/geotiff-write.js';
export * from './plugin/registry.js';
export * from './plugin/third-party.js';
export * from './plugin/tsyringe-adapter.js';
export * from './pipeline/index.js';
export * from './stations/index.js';
export * from './stac/index.js';
export * from './report/index.js';
export * from './util/linear-algebra.js';
export * from './util/wasm-binary.js';
export * from './util/cleanup-on-signal.js';
