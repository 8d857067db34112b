import {
  createTable,
  dateFeatureColumns,
  dateFeatureValues,
  describeGrid,
  inputError,
  isSoilscaleError,
  makeSeries,
  pixelCount,
  readSavedModelFile,
  recordTable,
  resampleSeries,
  runtimeError,
  sameGrid,
  type Artifact,
  type DateFeatureMode,
  type FittedRegressor,
  type NodeReport,
  type PluginContext,
  type RecordTable,
  type SavedModel,
  type Series,
} from '../../../core/index.js';
import type { ApplyModelParams } from '../index.js';

/** The regressor model inside a saved model, and the date features its feature names carry. */
interface Unwrapped {
  readonly regressor: SavedModel;
  readonly dateFeatures: DateFeatureMode;
}

/** Apply the model at `params.path` to the predictors and/or the table (see the manifest). */
export async function applySavedModel(inputs: Readonly<Record<string, Artifact | undefined>>, params: ApplyModelParams, context: PluginContext): Promise<Readonly<Record<string, Artifact>> & NodeReport> {
  const predictors = inputs.predictors as unknown as Readonly<Record<string, Series>> | undefined;
  const table = inputs.table as RecordTable | undefined;
  if (!predictors && !table) throw runtimeError('nothing to apply the model to', { path: 'with', expected: 'predictors (rasters) or table', found: 'neither' });
  const { regressor: saved, dateFeatures } = unwrap(await readSavedModelFile(params.path), params.path);
  const regressor = await context.instantiate({ uses: saved.pluginId }, 'regressor');
  let model: FittedRegressor;
  try {
    model = await regressor.load(saved);
  } catch (e) {
    throw isSoilscaleError(e) ? inputError(`the saved model cannot be loaded: ${e.message}`, { file: params.path }) : e;
  }
  const notes = [`applied ${saved.pluginId} ${saved.pluginVersion} from ${params.path} (features: ${model.featureNames.join(', ')})`];
  const out: Record<string, Artifact> = {};
  if (predictors) out.product = await applyToRasters(model, predictors, dateFeatures, params.tilePixels, context);
  if (table) out.predictions = await applyToTable(model, table, dateFeatures, params.dateColumn);
  return { ...out, notes } as unknown as Readonly<Record<string, Artifact>> & NodeReport;
}

/** A regressor's model as it is; `downscaler:regression`'s: the regressor inside it (binary parts `regressor.*`). */
function unwrap(saved: SavedModel, file: string): Unwrapped {
  if (saved.pluginId.startsWith('regressor:')) return { regressor: saved, dateFeatures: modeOf(saved.featureNames ?? []) };
  const data = saved.data as { regressor?: SavedModel; steps?: number; dateFeatures?: DateFeatureMode } | null;
  if (saved.pluginId === 'downscaler:regression' && data?.regressor) {
    if ((data.steps ?? 1) !== 1) throw inputError('a sequence model (steps > 1) cannot be applied pixel by pixel', { file, path: 'data.steps', expected: '1', found: String(data.steps) });
    const binary = Object.fromEntries(Object.entries(saved.binary ?? {}).filter(([k]) => k.startsWith('regressor.')).map(([k, v]) => [k.slice('regressor.'.length), v]));
    return { regressor: { ...data.regressor, ...(Object.keys(binary).length ? { binary } : {}) }, dateFeatures: data.dateFeatures ?? 'none' };
  }
  throw inputError(`a model saved by ${saved.pluginId} cannot be applied here`, { file, path: 'pluginId', expected: 'a regressor model (regressor:…) or downscaler:regression\'s', found: saved.pluginId });
}

function modeOf(features: readonly string[]): DateFeatureMode {
  return (['doy', 'season'] as const).find((m) => dateFeatureColumns(m).every((c) => features.includes(c))) ?? 'none';
}

/** Where each feature's value comes from: an input by name, or the date features. */
function featureSources(model: FittedRegressor, available: readonly string[], dateFeatures: DateFeatureMode, what: string): (string | number)[] {
  const dateColumns = dateFeatureColumns(dateFeatures);
  const missing = model.featureNames.filter((f) => !dateColumns.includes(f) && !available.includes(f));
  if (missing.length) throw runtimeError(`the model's features ${missing.join(', ')} are not among the ${what}`, { path: 'with', expected: `${what} named ${model.featureNames.filter((f) => !dateColumns.includes(f)).join(', ')}`, found: available.join(', ') || 'none' });
  return model.featureNames.map((f) => (dateColumns.includes(f) ? dateColumns.indexOf(f) : f));
}

async function applyToRasters(model: FittedRegressor, input: Readonly<Record<string, Series>>, dateFeatures: DateFeatureMode, tilePixels: number, context: PluginContext): Promise<Series> {
  const sources = featureSources(model, Object.keys(input), dateFeatures, 'predictors');
  const keys = [...new Set(sources.filter((s): s is string => typeof s === 'string'))];
  const predictors = onFinestGrid(Object.fromEntries(keys.map((k) => [k, input[k]])), context);
  const used = keys.map((k) => predictors[k]);
  const grid = used[0]?.grid ?? Object.values(input)[0].grid;
  const dates = [...new Set(used.flatMap((s) => s.dates))].sort();
  if (dates.length === 0 && dateFeatures !== 'none') throw runtimeError('the model has date features and every predictor is static', { path: 'with.predictors', expected: 'a temporal predictor (its dates are the product\'s)', found: 'static predictors only' });
  const n = pixelCount(grid);
  const nf = sources.length;
  const values: Float32Array[] = [];
  for (const date of dates.length ? dates : [undefined]) {
    const dateValues = date === undefined ? [] : dateFeatureValues(date, dateFeatures);
    const layers = sources.map((s) => (typeof s === 'number' ? dateValues[s] : layerOn(predictors[s], date)));
    const out = new Float32Array(n).fill(Number.NaN);
    for (let start = 0; start < n; start += tilePixels) {
      const count = Math.min(tilePixels, n - start);
      const t = createTable(model.featureNames, count);
      for (let i = 0; i < count; i++) for (let j = 0; j < nf; j++) t.x[i * nf + j] = featureValue(layers[j], start + i);
      const { mean } = await model.predict(t);
      // A pixel missing any predictor is NaN whatever the regressor does with NaN.
      for (let i = 0; i < count; i++) if (rowComplete(t.x, i, nf)) out[start + i] = mean[i];
    }
    values.push(out);
  }
  return makeSeries({ variable: 'sm', grid, dates: dates, values, unit: 'm3/m3' });
}

/**
 * The predictors on the finest of their grids: a coarser one (e.g. the coarse soil moisture) gives each
 * fine pixel the value of the cell holding its centre — what sampling at a station gives it — in a note.
 */
function onFinestGrid(predictors: Readonly<Record<string, Series>>, context: PluginContext): Record<string, Series> {
  const list = Object.entries(predictors);
  const [, finest] = list.reduce((a, b) => (Math.abs(b[1].grid.transform[1]) < Math.abs(a[1].grid.transform[1]) ? b : a));
  const coarser = list.filter(([, s]) => !sameGrid(s.grid, finest.grid)).map(([k]) => k);
  if (coarser.length) context.warn('predictor-resampled', `${coarser.join(', ')} taken at the pixel holding each ${describeGrid(finest.grid)} pixel's centre (nearest)`);
  return Object.fromEntries(list.map(([k, s]) => [k, coarser.includes(k) ? resampleSeries(s, finest.grid, 'nearest') : s]));
}

/** A series' values on `date` (a static series on every date); all-NaN when it has no such date. */
function layerOn(s: Series, date: string | undefined): Float32Array | undefined {
  if (s.dates.length === 0) return s.values[0];
  const k = date === undefined ? -1 : s.dates.indexOf(date);
  return k >= 0 ? s.values[k] : undefined;
}

function featureValue(layer: Float32Array | number | undefined, pixel: number): number {
  return typeof layer === 'number' ? layer : layer === undefined ? Number.NaN : layer[pixel];
}

function rowComplete(x: Float32Array, row: number, nf: number): boolean {
  for (let j = 0; j < nf; j++) if (!Number.isFinite(x[row * nf + j])) return false;
  return true;
}

async function applyToTable(model: FittedRegressor, table: RecordTable, dateFeatures: DateFeatureMode, dateColumn: string): Promise<RecordTable> {
  const sources = featureSources(model, table.columns, dateFeatures, 'table columns');
  if (dateFeatures !== 'none' && !table.columns.includes(dateColumn)) throw runtimeError(`the model has date features and the table has no column '${dateColumn}'`, { path: 'with.dateColumn', expected: 'the column of dates', found: table.columns.join(', ') });
  const nf = sources.length;
  const t = createTable(model.featureNames, table.rows.length);
  table.rows.forEach((row, r) => {
    const date = row[dateColumn];
    const dateValues = dateFeatures !== 'none' && typeof date === 'string' ? dateFeatureValues(date, dateFeatures) : [];
    sources.forEach((s, j) => {
      const v = typeof s === 'number' ? dateValues[s] : row[s];
      if (typeof v === 'string') throw inputError('a feature cell is not a number', { path: `table row ${r + 1}, column ${String(s)}`, expected: 'a number, a boolean or null', found: JSON.stringify(v) });
      t.x[r * nf + j] = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.NaN;
    });
  });
  const { mean } = await model.predict(t);
  const rows = table.rows.map((row, r) => ({ ...row, predicted: rowComplete(t.x, r, nf) && Number.isFinite(mean[r]) ? mean[r] : null }));
  return recordTable(rows, [...table.columns.filter((c) => c !== 'predicted'), 'predicted']);
}
