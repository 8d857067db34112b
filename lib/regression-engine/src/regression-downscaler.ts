import {
  createRng,
  dateFeatureValues,
  describeGrid,
  downscaleCoarse,
  downscaleTarget,
  featureLayout,
  importanceTable,
  isStatic,
  makeSeries,
  metricsTableRow,
  pairedMetrics,
  recordTable,
  resampleSeries,
  runtimeError,
  sameGrid,
  tableFromSeries,
  usageError,
  inputError,
  type DownscaleInput,
  type DownscaleResult,
  type Downscaler,
  type FittedRegressor,
  type PluginContext,
  type RecordTable,
  type Regressor,
  type SavedModel,
  type Series,
  type Table,
  createSavedModel,
} from '../../../core/index.js';
import type { RegressionEngineParams } from '../params.js';
import { conformalScores, intervalsTable, toFineSupport, type ConformalCalibration } from './conformal.js';
import { blockLayout, blockMeans, type BlockLayout } from './block-layout.js';
import { multiScaleTable } from './multi-scale-table.js';
import { crossValidate, type OutOfFold } from './cross-validation.js';
import { createAligner } from './predictor-alignment.js';
import { deconvolveRange, type AtpkOptions } from './residual/atpk.js';
import { predictTiles } from './predict-stage.js';
import { tilePredictor } from './fine-predictor.js';
import { correctResiduals } from './residual/correct.js';
import { withWindowFeatures } from './window-features.js';
import { withTemporalFeatures } from './temporal-features.js';
import { cellContextNames, cellContextSeries } from './cell-context.js';
import { referenceAnomalies, type ReferenceAnomalies } from './reference-rows.js';
import { referenceCalibration, referenceIntervalsTable } from './reference-intervals.js';

/** How an engine-based downscaler names itself (in messages and in its saved model) and makes its learner. */
export interface EngineHost {
  readonly id: string;
  readonly version: string;
  /** The coarse-scale learner. */
  readonly regressor: Regressor;
  /**
   * Out-of-fold predictions of the learner on the training rows (CV table, conformal scores); default
   * `crossValidate` refitting `regressor` on each fold. A stacking learner supplies its own (its members' folds).
   */
  readonly outOfFold?: OutOfFold;
  /** The learner in notes, e.g. `regressor:rf`. */
  readonly learner: string;
  /** Extra node tables, read after training (e.g. the stacking weights). */
  readonly tables?: () => Record<string, RecordTable>;
}
/** Gap-filled predictor rasters are kept between the training and prediction passes up to this size. */
const ALIGNED_CACHE_BYTES = 512 * 1024 * 1024;

/**
 * The regression downscaler (see the manifest in `../index.ts`).
 *
 * @example
 * ```ts
 * const ds = await regressionDownscaler.create({ regressor: { uses: 'regressor:rf' }, residualCorrection: 'block' }, context); // defaults filled in
 * const { product, tables } = await ds.downscale({ coarse: smCoarse, predictors: { ndvi, lst, dem } });
 * ```
 */
export function createRegressionDownscaler(params: RegressionEngineParams, host: EngineHost, context: PluginContext): Downscaler {
  return { downscale: (input) => downscale(input, params, host, context) };
}

async function downscale(input: DownscaleInput, params: RegressionEngineParams, host: EngineHost, context: PluginContext): Promise<DownscaleResult> {
  const ID = host.id;
  const log = context.logger;
  const notes: string[] = [];
  const inputNames = Object.keys(input.predictors ?? {});
  if (inputNames.length === 0) {
    throw usageError('the regression downscaler needs fine predictors', { path: `${ID}.predictors`, expected: 'at least one series (ndvi, lst, dem…)', found: 'none' });
  }
  const coarse = downscaleCoarse(input, ID);
  if (isStatic(coarse)) {
    throw usageError('the coarse input has no dates', { path: `${ID}.coarse`, expected: 'a temporal series (one raster per date)', found: `static layer '${coarse.variable}'` });
  }
  const fineGrid = downscaleTarget(input, ID);
  const resampled: Record<string, Series> = {};
  for (const name of inputNames) {
    const s = input.predictors[name];
    if (sameGrid(s.grid, fineGrid)) resampled[name] = s;
    else {
      resampled[name] = resampleSeries(s, fineGrid, 'bilinear');
      context.warn('predictor-resampled', `predictor '${name}' resampled (${s.categorical ? 'nearest' : 'bilinear'}) from ${describeGrid(s.grid)} to the fine grid`);
    }
  }
  const layout = blockLayout(coarse.grid, fineGrid, `${ID}.coarse/predictors`);
  // A bad reference or option is told before pass 1 aligns every predictor on every date.
  const reference = input.reference ? trainingReference(input.reference, layout, coarse, params, ID) : undefined;
  const regressor = host.regressor;
  const steps = Math.max(1, Math.floor(regressor.capabilities?.sequenceSteps ?? 1));
  const rng = createRng(params.seed ?? context.seed);
  const dates = coarse.dates;

  // Pass 1: align and gap-fill the predictors (and their temporal and window features) on every coarse date, aggregate them to the coarse grid.
  const inputs = { names: inputNames, predictors: resampled, aligners: inputNames.map((n) => createAligner(resampled[n], params)) };
  const sources = inputNames.length;
  // Window features of the predictors only (not of their temporal features: worse on the dev scenes, docs/ensembles.md).
  const { names, predictors, aligners } = withWindowFeatures(withTemporalFeatures(inputs, sources, dates, params.temporal, fineGrid), sources, params.windows, fineGrid);
  const coverageRows: Record<string, string | number>[] = [];
  const aggregated = names.map(() => [] as Float32Array[]);
  const kept = new Map<string, Float32Array>();
  let keptBytes = 0;
  const pass1 = context.progress.start('aggregate predictors', dates.length);
  const staticAgg = new Map<number, Float32Array>();
  dates.forEach((date, d) => {
    names.forEach((name, f) => {
      if (isStatic(predictors[name])) {
        if (!staticAgg.has(f)) {
          const a = aligners[f](date);
          staticAgg.set(f, Float32Array.from(blockMeans(a.values, layout, params.minValidFraction)));
          coverageRows.push({ variable: name, date: 'static', source: 'static', validBefore: a.validBefore, validAfter: a.validAfter });
        }
        return;
      }
      const a = aligners[f](date);
      coverageRows.push({ variable: name, date, source: a.source, validBefore: a.validBefore, validAfter: a.validAfter });
      aggregated[f].push(Float32Array.from(blockMeans(a.values, layout, params.minValidFraction)));
      // The series' own arrays are kept for free; gap-filled copies while they fit the budget.
      if (!a.owned || keptBytes + a.values.byteLength <= ALIGNED_CACHE_BYTES) {
        kept.set(`${f}/${d}`, a.values);
        if (a.owned) keptBytes += a.values.byteLength;
      }
    });
    pass1.tick();
  });
  pass1.done();
  const coarseFeatures: Record<string, Series> = {};
  names.forEach((name, f) => {
    coarseFeatures[name] = isStatic(predictors[name])
      ? makeSeries({ variable: name, grid: coarse.grid, dates: [], values: [staticAgg.get(f)!] })
      : makeSeries({ variable: name, grid: coarse.grid, dates, values: aggregated[f] });
  });
  const bs = params.cv.blockSize;
  const nbx = Math.ceil(coarse.grid.width / bs);
  const groupOf = (k: number) => Math.floor(Math.floor(k / coarse.grid.width) / bs) * nbx + Math.floor((k % coarse.grid.width) / bs);
  const train = tableFromSeries({ features: coarseFeatures, target: coarse, dateFeatures: params.dateFeatures, steps, groupOf });
  if (train.rows < train.columns.length + 2) {
    throw runtimeError('too few coarse cells to train the regressor', {
      path: `${ID}.minValidFraction`,
      expected: `at least ${train.columns.length + 2} complete coarse rows`,
      found: `${train.rows} rows (coarse cells with a value and ≥ ${params.minValidFraction} valid fine pixels for every predictor)`,
    });
  }
  log.info('training table', { rows: train.rows, columns: train.columns.length, dates: dates.length });

  // Cross validation, fit, importance.
  const tables: Record<string, RecordTable> = {};
  if (params.intervals.method !== 'none' && params.cv.scheme === 'none') {
    throw usageError('conformal intervals need out-of-fold residuals', { path: `${ID}.intervals.method`, expected: 'cv.scheme kfold, dates or blocks', found: `intervals ${params.intervals.method} with cv.scheme none` });
  }
  let calibration: ConformalCalibration | undefined;
  if (params.cv.scheme !== 'none') {
    const outOfFold = host.outOfFold ?? ((t, scheme, folds, r) => crossValidate(regressor, t, scheme, folds, r));
    const cv = await outOfFold(train, params.cv.scheme, params.cv.folds, rng.fork(1));
    tables.cv = cv.table;
    if (params.intervals.method === 'conformal-spread' && !cv.spread) {
      throw usageError('conformal-spread intervals need a learner with a per-row spread', { path: `${ID}.intervals.method`, expected: 'a regressor with a spread (regressor:rf) or intervals.method conformal', found: `${host.learner} without a spread` });
    }
    if (params.intervals.method !== 'none') {
      calibration = conformalScores(cv.oof, train.y!, params.intervals.method === 'conformal-spread' ? cv.spread : undefined, params.intervals.level, `${ID}.intervals`);
      if (params.intervals.changeOfSupport === 'variogram') calibration = toFineSupport(calibration, residualFields(cv.oof, train, dates.length, coarse.grid.width * coarse.grid.height), layout, params.atpk.model, conserves(params), `${ID}.intervals`);
      tables.intervals = intervalsTable(calibration, params.intervals.method, params.cv.scheme);
    }
  }
  const firstPass = await regressor.fit(train);
  const multiScale = params.multiScale.levels.length > 0;
  const anomalies = multiScale && params.multiScale.anomalies;
  const scaleColumn = multiScale && params.multiScale.scaleFeature;
  if (multiScale && params.intervals.method === 'conformal-spread') {
    // The scores are scaled by the first pass's spread; the refitted model's spread has another scale.
    throw usageError('conformal-spread intervals are calibrated on the coarse first pass, not on the multi-scale refit', { path: `${ID}.intervals.method`, expected: 'conformal with multiScale', found: 'conformal-spread' });
  }
  if (multiScale && (steps > 1 || params.residualType === 'model')) {
    throw usageError('multi-scale training needs one row per cell and date and the conservation residual', { path: `${ID}.multiScale.levels`, expected: 'a non-sequence regressor and residualType conservation', found: steps > 1 ? `a sequence regressor (${steps} steps)` : 'residualType model' });
  }
  if (params.multiScale.context && !anomalies) {
    throw usageError('cell-context columns describe the cell around a within-cell anomaly', { path: `${ID}.multiScale.context`, expected: 'multiScale.levels and anomalies true', found: multiScale ? 'anomalies false' : 'no multiScale.levels' });
  }
  const contextColumns = anomalies && params.multiScale.context;
  const baseLayout = featureLayout(names, params.dateFeatures, steps);
  const refitLayout = contextColumns ? featureLayout([...names, ...cellContextNames(names)], params.dateFeatures, steps) : baseLayout;
  const predictLayout = scaleColumn ? { ...refitLayout, columns: [...refitLayout.columns, 'scale'], features: [...refitLayout.features, 'scale'] } : refitLayout;
  const coarseFeatureAt = (f: number, d: number) => coarseFeatures[names[f]].values[isStatic(coarseFeatures[names[f]]) ? 0 : d];
  const alignedAt = (d: number) => names.map((_, f) => kept.get(`${f}/${d}`) ?? aligners[f](dates[d]).values);
  let model = firstPass;
  if (multiScale) {
    const firstPredictor = tilePredictor(firstPass, layout, baseLayout, params.tilePixels, Math.max(1, context.workers.size));
    const table = await multiScaleTable({
      train, layout, dates, params, groupOf, scaleColumn, anomalies, context: contextColumns,
      coarseFeatureAt,
      coarseTarget: (d) => coarse.values[d],
      reference: reference && { anomalies: reference.anomalies, rows: params.referenceTraining.rows },
      fineAt: async (d, withTarget) => {
        const arrays = alignedAt(d);
        if (!withTarget) return { arrays };
        const pred = await firstPredictor([arrays], [dateFeatureValues(dates[d], params.dateFeatures)], coarse.values[d]);
        return { arrays, target: correctResiduals({ prediction: pred.mean, coarse: coarse.values[d], layout, method: 'block', residual: 'conservation' }).product };
      },
    });
    log.info('multi-scale training table', { rows: table.rows, levels: params.multiScale.levels.join(',') });
    const referenceRowsTrained = table.fromReference ? table.fromReference.reduce((n, r) => n + r, 0) : 0;
    if (reference && referenceRowsTrained === 0) {
      // Every covered pixel lacked a valid predictor: the refit would silently be the coarse-only one.
      throw inputError('no pixel of the fine-scale reference has every predictor valid, so nothing trains on it', { path: `${ID}.reference`, expected: 'reference pixels where every predictor has a value', found: `${reference.pixelDates} reference pixel-dates, none with every predictor valid` });
    }
    model = await regressor.fit(table);
    if (reference && calibration && params.referenceTraining.calibrateIntervals) {
      const fine = await referenceCalibration({ regressor, table, fromReference: table.fromReference!, reference, coarse: coarse.values, level: params.intervals.level, folds: params.referenceTraining.folds, errorSd: params.referenceTraining.referenceErrorSd, rng: rng.fork(3), where: ID });
      calibration = fine;
      tables.intervals = referenceIntervalsTable(fine);
    }
    const refit = await model.predict(table);
    tables.multiScale = recordTable(
      [{ rows: table.rows, coarseRows: anomalies ? 0 : train.rows, levels: params.multiScale.levels.join(' '), anomalies, scaleFeature: scaleColumn, context: contextColumns, ...referenceColumns(reference, params), ...metricsTableRow(pairedMetrics(refit.mean, table.y!)) }],
      undefined,
      [
        reference
          ? `final model refitted on the within-cell anomalies of the fine-scale reference at its pixels (${referenceRowsTrained} pixel-dates with every predictor valid, of ${reference.pixelDates} in ${reference.cellDates} cell-dates of ${reference.cells} coarse cells)${params.referenceTraining.rows === 'add' ? ' and on the sub-block rows of the first pass' : ''}; metrics are on these training rows`
          : 'final model refitted on coarse rows and sub-block rows whose targets come from the first-pass (coarse-only) model, block-corrected to the coarse values; metrics are on these training rows',
        tables.intervals?.rows[0]?.changeOfSupport === 'reference'
          ? 'cv, fit and importance describe the first-pass coarse model; the intervals are calibrated on the reference, out of fold'
          : 'cv, fit, importance and the intervals describe the first-pass coarse model',
      ],
    );
  }
  const fitted = await firstPass.predict(train);
  tables.fit = recordTable([{ scheme: 'training', fold: 'all', trainRows: train.rows, ...metricsTableRow(pairedMetrics(fitted.mean, train.y!)) }]);
  if (params.importance) tables.importance = await importanceTable(firstPass, train, rng.fork(2), 'at the coarse scale');
  const diagnostics = model.diagnostics?.();
  if (diagnostics) notes.push(`regressor diagnostics: ${Object.entries(diagnostics).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(6) : v}`).join(', ')}`);

  // f(X_C) on every training cell: the model residual, and the variogram for ATPK.
  const nc = coarse.grid.width * coarse.grid.height;
  const modelCoarse = dates.map(() => new Float64Array(nc).fill(Number.NaN));
  for (let r = 0; r < train.rows; r++) modelCoarse[train.index!.date![r]][train.index!.pixel![r]] = fitted.mean[r];
  let atpk: AtpkOptions | undefined;
  if (params.residualCorrection === 'atpk') {
    let range = params.atpk.range;
    if (!(range > 0)) {
      const residuals = dates.map((_, d) => Float64Array.from(modelCoarse[d], (m, k) => coarse.values[d][k] - m));
      const dec = deconvolveRange(residuals, layout, params.atpk.model);
      range = dec.range;
      notes.push(`ATPK: point-support ${params.atpk.model} range ${range.toPrecision(3)} coarse cells deconvolved from ${dec.pairs} residual pairs`);
    }
    atpk = { ...params.atpk, range };
  }

  // Pass 2: predict every fine pixel of every date and correct the residuals, tile by tile (context.tiles).
  const aligned = dates.map((_, d) => alignedAt(d));
  kept.clear();
  const cellContext = contextColumns ? cellContextSeries([...names.map((n) => coarseFeatures[n]), coarse], layout) : undefined;
  const tiled = await predictTiles(context, {
    model, layout, coarse, dates, params, steps, atpk, calibration, scaleColumn, anomalies,
    features: predictLayout,
    predictors: [
      ...names.map((name, f) => (isStatic(predictors[name]) ? predictors[name] : makeSeries({ variable: name, grid: fineGrid, dates, values: aligned.map((a) => a[f]) }))),
      ...(cellContext?.fine ?? []),
    ],
    modelCoarse: params.residualType === 'model' ? makeSeries({ variable: 'model_coarse', grid: coarse.grid, dates, values: modelCoarse.map((m) => Float32Array.from(m)) }) : undefined,
    // The context columns go through the stage as predictors whose reference is zero (they enter as they are).
    coarseFeatures: anomalies ? [...names.map((n) => coarseFeatures[n]), ...(cellContext?.reference ?? [])] : undefined,
  });
  const product = tiled.product.values;
  const spread = tiled.spread.values;
  const hasSpread = spread.some((a) => a.some((v) => v === v));
  const conservationRows = dates.map((date, d) => ({ date, ...conservationError(product[d], coarse.values[d], layout) }));
  Object.assign(tables, host.tables?.());
  tables.conservation = recordTable(conservationRows, ['date', 'cells', 'maxAbsError', 'meanAbsError'], [
    `block mean of the product minus the coarse value, over coarse cells with both (method ${params.residualCorrection}, ${params.residualType} residual)`,
  ]);
  tables.coverage = recordTable(coverageRows, ['variable', 'date', 'source', 'validBefore', 'validAfter'], [
    `fraction of valid fine pixels per predictor and date before and after gap filling (${params.gapFill})`,
  ]);
  notes.push(`trained ${host.learner} on ${train.rows} coarse rows × ${train.columns.length} columns from ${dates.length} dates; residual correction ${params.residualCorrection} (${params.residualType} residual)`);
  const variable = coarse.variable || 'sm';
  const out: DownscaleResult = {
    product: makeSeries({ variable, grid: fineGrid, dates, values: product, unit: coarse.unit }),
    uncertainty: hasSpread ? makeSeries({ variable: `${variable}_spread`, grid: fineGrid, dates, values: spread, unit: coarse.unit }) : undefined,
    ...(calibration
      ? {
          lower: makeSeries({ variable: `${variable}_lower`, grid: fineGrid, dates, values: tiled.lower.values, unit: coarse.unit }),
          upper: makeSeries({ variable: `${variable}_upper`, grid: fineGrid, dates, values: tiled.upper.values, unit: coarse.unit }),
        }
      : {}),
    model: wrapModel(model, params, predictLayout.columns, train.rows, steps, host, calibration),
    tables,
    notes,
  };
  return out;
}

/** The fine-scale reference as refit targets (`reference-rows.ts`): only for the anomaly refit of multi-scale training. */
function trainingReference(reference: Series, layout: BlockLayout, coarse: Series, params: RegressionEngineParams, ID: string): ReferenceAnomalies {
  if (!(params.multiScale.levels.length > 0 && params.multiScale.anomalies)) {
    throw usageError('a fine-scale reference trains the within-cell (anomaly) refit of multi-scale training', { path: `${ID}.reference`, expected: 'multiScale.levels and multiScale.anomalies true', found: `multiScale ${JSON.stringify(params.multiScale)}` });
  }
  if (params.referenceTraining.calibrateIntervals && params.intervals.method !== 'none' && params.intervals.changeOfSupport !== 'none') {
    throw usageError('the interval is calibrated at the fine support on the reference; a change of support from the coarse residuals would contradict it', { path: `${ID}.intervals.changeOfSupport`, expected: 'none (or referenceTraining.calibrateIntervals false)', found: params.intervals.changeOfSupport });
  }
  if (params.referenceTraining.calibrateIntervals && params.intervals.method === 'conformal-spread') {
    throw usageError('the interval calibrated on the reference has a constant half-width; the spread-scaled one cannot be calibrated there', { path: `${ID}.intervals.method`, expected: 'conformal (or referenceTraining.calibrateIntervals false)', found: 'conformal-spread' });
  }
  return referenceAnomalies(reference, layout, coarse.dates, coarse.values, params.referenceTraining, `${ID}.reference`);
}

/** The reference's share of the refit, for the `multiScale` table (none without a reference). */
function referenceColumns(reference: ReferenceAnomalies | undefined, params: RegressionEngineParams): Record<string, string | number> {
  return reference ? { referenceRows: params.referenceTraining.rows, referenceCells: reference.cells, referenceCellDates: reference.cellDates, referencePixelDates: reference.pixelDates } : {};
}

/** Whether the product's block means equal the coarse values (see `residual/correct.ts`). */
function conserves(params: RegressionEngineParams): boolean {
  return params.residualType === 'conservation' && params.residualCorrection !== 'none' && params.residualCorrection !== 'bilinear';
}

/** Out-of-fold residuals `y − ŷ_oof` of the training rows as one coarse field per date (NaN elsewhere). */
function residualFields(oof: Float32Array, train: Table, dates: number, cells: number): Float64Array[] {
  const fields = Array.from({ length: dates }, () => new Float64Array(cells).fill(Number.NaN));
  for (let r = 0; r < train.rows; r++) fields[train.index!.date![r]][train.index!.pixel![r]] = train.y![r] - oof[r];
  return fields;
}

/** Max and mean |block mean(product) − coarse| over the cells where both exist. */
function conservationError(product: Float32Array, coarse: Float32Array, layout: BlockLayout): { cells: number; maxAbsError: number | null; meanAbsError: number | null } {
  const agg = blockMeans(product, layout, 0);
  let n = 0;
  let max = 0;
  let sum = 0;
  for (let k = 0; k < agg.length; k++) {
    const e = Math.abs(agg[k] - coarse[k]);
    if (e === e) (n++, (sum += e), (max = Math.max(max, e)));
  }
  return { cells: n, maxAbsError: n ? max : null, meanAbsError: n ? sum / n : null };
}

/** The downscaler's model: the fitted regressor's saved model plus what the downscaler needs to apply it. */
function wrapModel(model: FittedRegressor, params: RegressionEngineParams, columns: readonly string[], trainingRows: number, steps: number, host: EngineHost, calibration?: ConformalCalibration): SavedModel {
  const inner = model.save();
  const binary: Record<string, NonNullable<SavedModel['binary']>[string]> = {};
  for (const [k, v] of Object.entries(inner.binary ?? {})) binary[`regressor.${k}`] = v;
  return createSavedModel({ id: host.id, version: host.version }, {
    params,
    featureNames: columns,
    data: {
      regressor: { ...inner, binary: undefined },
      steps,
      dateFeatures: params.dateFeatures,
      trainingRows,
      ...(calibration ? { conformal: { quantile: calibration.quantile, scaled: calibration.scaled, level: calibration.level, n: calibration.n, scale: calibration.scale } } : {}),
    },
    binary,
  });
}
