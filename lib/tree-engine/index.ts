/**
 * The tree engine shared by `regressor:rf` and `regressor:gbdt` (a library, not a plugin): feature
 * binning, histogram tree growth, flat typed-array trees, packed prediction on worker threads, and
 * the binary form trees are saved in. Its training-table checks serve `regressor:knn` and
 * `regressor:svr` too.
 */
export { binColumns, binOf, computeBinEdges, type BinCodes, type BinEdges, type BinningOptions } from './src/binning.js';
export { TreeGrower, type BinnedMatrix, type GrowOptions, type GrowSample, type GrownTree } from './src/grow-tree.js';
export { nodeCount, predictBinned, predictRaw, type TreeArrays } from './src/tree.js';
export { fitForest, type ForestFit, type ForestOptions } from './src/forest.js';
export { packForest, predictPacked, type Combine, type PackedForest } from './src/packed-forest.js';
export { predictForestRows } from './src/predict.js';
export { fitBoosting, type BoostingFit, type BoostingOptions, type ValidationRows } from './src/boosting.js';
export { checkTrainingTable, featureMatrix, treesFromBinary, treesToBinary, type TreeBinary } from './src/serialize.js';
