/**
 * `regression-engine`: the coarse-to-fine regression downscaling engine shared by `downscaler:regression`
 * and `downscaler:ensemble` (a library, not a plugin): predictor alignment and gap filling, the
 * coarse-scale training table, cross-validation folds, fine-pixel prediction in tiles, residual
 * correction, conformal intervals. Import it from inside a plugin's `create` (lazily); the light
 * params schema is `./params.ts`.
 */
export { createRegressionDownscaler, type EngineHost } from './src/regression-downscaler.js';
export { blockLayout, blockMeans, blockSums, pixelCells, type BlockLayout } from './src/block-layout.js';
export { assignFolds, crossValidate, foldSplits, type CvScheme, type OutOfFold, type OutOfFoldResult } from './src/cross-validation.js';
export { correctResiduals, type ResidualMethod, type ResidualType } from './src/residual/correct.js';
export { conformalQuantile, conformalScores, intervalBounds, toFineSupport, type ConformalCalibration } from './src/conformal.js';
export { withinCellVariance, type WithinCellVariance } from './src/within-cell-variance.js';
