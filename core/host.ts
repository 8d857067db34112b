/**
 * soilscale core's host API: check and run pipelines, the plugin registry (an inversify container),
 * third-party plugin loading, the pipeline schema and the run report. It knows no plugins: the package
 * entry `soilscale/host` (`host/index.ts`) adds the built-ins as defaults.
 */
export { Container } from 'inversify';
export * from './plugin/registry.js';
export * from './plugin/third-party.js';
export * from './pipeline/index.js';
export * from './report/index.js';
export * from './tiles/index.js';
// The distributed tile executor and worker (BullMQ on Redis; bullmq is loaded only when they are used).
export { createQueueExecutor, tileJobId, type QueueExecutorOptions } from './tiles/queue-executor.js';
export { startTileWorker, DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS, type TileWorker, type TileWorkerOptions } from './tiles/queue-worker.js';
export { parseQueueUrl, checkRedis, DEFAULT_QUEUE_NAME, type QueueAddress } from './tiles/queue-connection.js';
