/** Validation metrics: pure functions on typed arrays (metrics.md). */
export * from './special-functions.js';
export * from './pairing.js';
export * from './summary-stats.js';
export * from './kl-divergence.js';
export * from './paired-metrics.js';
export * from './chunked-metrics.js';
export * from './gdown.js';
export * from './metrics-row.js';
export * from './interval-coverage.js';
export * from './exact-sum.js';
export * from './pair-sums.js';
