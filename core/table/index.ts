/** Generic table builders: pixels × dates → regressor rows. */
export * from './date-features.js';
export * from './table-from-series.js';
export * from './feature-scaling.js';
export * from './importance.js';
