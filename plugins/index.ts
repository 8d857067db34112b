/**
 * The built-in plugins (the package entry `soilscale/plugins`): every manifest with its params type
 * and helpers, and `builtinPlugins`, the list a registry is made from.
 */
import type { AnyPluginManifest } from '../core/index.js';
import { stacSource } from './source-stac/index.js';
import { linearRegressor } from './regressor-linear/index.js';
import { regressionDownscaler } from './downscaler-regression/index.js';
import { tchValidator } from './validator-tch/index.js';
import { nearestDownscaler } from './downscaler-nearest/index.js';
import { bilinearDownscaler } from './downscaler-bilinear/index.js';
import { rasterValidator } from './validator-raster/index.js';
import { insituValidator } from './validator-insitu/index.js';
import { syntheticSource } from './source-synthetic/index.js';
import { estarfmFuser } from './fuser-estarfm/index.js';
import { rfPlugin } from './regressor-rf/index.js';
import { gbdtPlugin } from './regressor-gbdt/index.js';
import { bpnnPlugin } from './regressor-bpnn/index.js';
import { cnnGruPlugin } from './regressor-cnn-gru/index.js';
import { resnetDownscaler } from './downscaler-resnet/index.js';
import { biasCorrectionTransform } from './transform-bias-correction/index.js';
import { knnPlugin } from './regressor-knn/index.js';
import { wcmInverter } from './inverter-wcm/index.js';
import { dispatchDownscaler } from './downscaler-dispatch/index.js';
import { svrPlugin } from './regressor-svr/index.js';
import { csvSource } from './source-csv/index.js';
import { tableModel } from './model-table/index.js';
import { sampleAtStationsTransform } from './transform-sample-at-stations/index.js';
import { applyModelTransform } from './transform-apply-model/index.js';
import { ensembleDownscaler } from './downscaler-ensemble/index.js';
import { intervalCalibrationTransform } from './transform-interval-calibration/index.js';

export * from './source-stac/index.js';
export * from './regressor-linear/index.js';
export * from './downscaler-regression/index.js';
export * from './validator-tch/index.js';
export * from './downscaler-nearest/index.js';
export * from './downscaler-bilinear/index.js';
export * from './validator-raster/index.js';
export * from './validator-insitu/index.js';
export * from './source-synthetic/index.js';
export * from './fuser-estarfm/index.js';
export * from './regressor-rf/index.js';
export * from './regressor-gbdt/index.js';
export * from './regressor-bpnn/index.js';
export * from './regressor-cnn-gru/index.js';
export * from './downscaler-resnet/index.js';
export * from './transform-bias-correction/index.js';
export * from './regressor-knn/index.js';
export * from './inverter-wcm/index.js';
export * from './downscaler-dispatch/index.js';
export * from './regressor-svr/index.js';
export * from './source-csv/index.js';
export * from './model-table/index.js';
export * from './transform-sample-at-stations/index.js';
export * from './transform-apply-model/index.js';
export * from './downscaler-ensemble/index.js';
export * from './transform-interval-calibration/index.js';

/**
 * The built-in plugins: the one list a new method is added to (one import, one entry).
 * Third-party plugins are not listed here; pipelines load them through their `plugins` field.
 */
export const builtinPlugins: readonly AnyPluginManifest[] = [
  syntheticSource,
  stacSource,
  linearRegressor,
  regressionDownscaler,
  tchValidator,
  nearestDownscaler,
  bilinearDownscaler,
  rasterValidator,
  insituValidator,
  estarfmFuser,
  rfPlugin,
  gbdtPlugin,
  bpnnPlugin,
  cnnGruPlugin,
  resnetDownscaler,
  biasCorrectionTransform,
  knnPlugin,
  wcmInverter,
  dispatchDownscaler,
  svrPlugin,
  csvSource,
  tableModel,
  sampleAtStationsTransform,
  applyModelTransform,
  ensembleDownscaler,
  intervalCalibrationTransform,
];
