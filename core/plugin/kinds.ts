import type { Grid } from '../model/grid.js';
import type { Raster } from '../model/raster.js';
import type { Scene } from '../model/scene.js';
import type { Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import type { RecordTable, Table } from '../model/table.js';
import type { Artifact, SavedModel } from './artifact.js';

export type PluginKind = 'source' | 'transform' | 'regressor' | 'model' | 'downscaler' | 'inverter' | 'fuser' | 'validator' | 'sink';

/** Tables and remarks any node may add to the run's outputs (`<out>/<node>-<name>.csv`). */
export interface NodeReport {
  readonly tables?: Readonly<Record<string, RecordTable>>;
  readonly notes?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// source

/**
 * Produces a scene (STAC catalog, synthetic generator) — node outputs `scene`, `stations` and every
 * asset key — or a record table (a CSV of station-days) — node output `table`.
 */
export interface Source {
  load(): Promise<Scene | RecordTable>;
}

// ---------------------------------------------------------------------------------------------
// transform

/** Any artifacts in, named artifacts out (bias correction, gap filling, aggregation). Ports come from the manifest. */
export interface Transform {
  apply(inputs: Readonly<Record<string, Artifact | undefined>>): Promise<Readonly<Record<string, Artifact>> & NodeReport>;
}

// ---------------------------------------------------------------------------------------------
// regressor

export interface Prediction {
  readonly mean: Float32Array;
  /** Per-row spread (e.g. standard deviation across trees), when the model has one. */
  readonly spread?: Float32Array;
}

export interface FeatureImportance {
  /** `permutation` is %IncMSE as R's randomForest reports it; `impurity` is mean decrease in impurity. */
  readonly method: 'permutation' | 'impurity' | 'gain' | 'split';
  readonly values: Readonly<Record<string, number>>;
}

export interface FittedRegressor {
  readonly featureNames: readonly string[];
  predict(x: Table): Promise<Prediction>;
  importance?(): readonly FeatureImportance[];
  /** Fit statistics such as the out-of-bag R² or the number of boosting rounds kept. */
  diagnostics?(): Readonly<Record<string, number | string>>;
  save(): SavedModel;
}

export interface FitOptions {
  /** Held-out rows for early stopping (GBDT, neural nets). */
  readonly validation?: Table;
}

/**
 * A learner: fit on a Table, predict, save and load.
 *
 * @example
 * ```ts
 * const rf = await context.instantiate({ uses: 'regressor:rf', with: { trees: 100 } }, 'regressor');
 * const model = await rf.fit(train);
 * const { mean, spread } = await model.predict(test);
 * const again = await rf.load(model.save()); // identical predictions
 * ```
 */
export interface Regressor {
  /** What the regressor needs from table builders: sequence models ask for `steps` days per row. */
  readonly capabilities?: { readonly sequenceSteps?: number };
  fit(train: Table, options?: FitOptions): Promise<FittedRegressor>;
  load(saved: SavedModel): Promise<FittedRegressor>;
}

// ---------------------------------------------------------------------------------------------
// model (a regressor fitted and evaluated on a record table)

export interface TableModelInput {
  /** Station-days (or any rows): id columns, feature columns and the target column. */
  readonly table: RecordTable;
}

export interface TableModelResult extends NodeReport {
  /** Every input column of the evaluated rows, plus `fold` and `predicted`. */
  readonly predictions: RecordTable;
  /** The validators' metrics of the held-out predictions: pooled (`group` = `all`) and per group. */
  readonly metrics: RecordTable;
  readonly importance?: RecordTable;
  /** The regressor fitted on every row (its own saved model, features named as the table's columns). */
  readonly model: SavedModel;
}

/** Fits a regressor on a table with a held-out split: predictions, metrics, importance, fitted model. */
export interface TableModel {
  fit(input: TableModelInput): Promise<TableModelResult>;
}

// ---------------------------------------------------------------------------------------------
// downscaler

export interface DownscaleInput {
  /** Coarse soil moisture (e.g. `sm_coarse`), temporal. */
  readonly coarse: Series;
  /** Fine predictors keyed by vocabulary variable (`ndvi`, `lst`, `dem`…), temporal or static. */
  readonly predictors: Readonly<Record<string, Series>>;
  /** The fine grid to produce; default: the grid of the predictors. */
  readonly target?: Grid;
  readonly stations?: Stations;
  /**
   * A fine-scale reference on the product's grid over part of the domain and some dates (an airborne or
   * field campaign map; NaN elsewhere), for methods that train on it (`downscaler:regression`).
   */
  readonly reference?: Series;
}

export interface DownscaleResult extends NodeReport {
  readonly product: Series;
  readonly uncertainty?: Series;
  /** Lower and upper bounds of a per-pixel prediction interval (e.g. conformal 90 %), when the method gives one. */
  readonly lower?: Series;
  readonly upper?: Series;
  readonly model?: SavedModel;
}

export interface Downscaler {
  downscale(input: DownscaleInput): Promise<DownscaleResult>;
}

// ---------------------------------------------------------------------------------------------
// inverter (physical model: calibrate + invert)

export interface InverterInput {
  /** Observations keyed by variable (`sigma0_vv`, `incidence`), on the fine grid. */
  readonly observations: Readonly<Record<string, Series>>;
  /** Auxiliary layers keyed by variable (`ndvi`, `landcover`, masks). */
  readonly auxiliary: Readonly<Record<string, Series>>;
  /** Reference SM product to calibrate against when no stations are used (e.g. the 1 km downscaled SM). */
  readonly reference?: Series;
  readonly stations?: Stations;
}

export interface Calibration extends NodeReport {
  readonly model: SavedModel;
}

export interface Inverter {
  calibrate(input: InverterInput): Promise<Calibration>;
  invert(input: InverterInput, calibration: SavedModel): Promise<{ readonly product: Series } & NodeReport>;
}

// ---------------------------------------------------------------------------------------------
// fuser (spatiotemporal fusion)

export interface FuseInput {
  /** Coarse series, one per band, all on the same dates and grid (resampled to the fine grid or not). */
  readonly coarse: readonly Series[];
  /** Fine series on fewer dates, one per band, matching `coarse` band for band. */
  readonly fine: readonly Series[];
  /** Dates to produce; default: every coarse date. */
  readonly dates?: readonly string[];
}

export interface Fuser {
  fuse(input: FuseInput): Promise<{ readonly product: readonly Series[] } & NodeReport>;
}

// ---------------------------------------------------------------------------------------------
// validator

/**
 * What a validator is given: exactly the inputs its manifest declares (`inputs`, names from
 * `KINDS.validator.inputs.vocabulary`); the pipeline checker makes sure the required ones are there.
 */
export interface ValidateInput {
  readonly product?: Series;
  readonly reference?: Series;
  readonly coarse?: Series;
  /** Bounds of the product's per-pixel prediction interval, on its grid and dates. */
  readonly lower?: Series;
  readonly upper?: Series;
  readonly stations?: Stations;
  /** Several products for N-product methods (three-cornered hat, triple collocation). */
  readonly products?: Readonly<Record<string, Series>>;
}

export interface ValidationResult extends NodeReport {
  readonly tables: Readonly<Record<string, RecordTable>>;
  /** Per-pixel maps (uncertainty, error) by name: the node's output `maps`, one alternative per map. */
  readonly maps?: Readonly<Record<string, Series | Raster>>;
}

export interface Validator {
  validate(input: ValidateInput): Promise<ValidationResult>;
}

// ---------------------------------------------------------------------------------------------
// sink

/**
 * Writes its declared inputs in a form of its own (an export format, a bundle for another tool) into
 * the run's folder. `outDir` is the run's staging folder, renamed to `--out` when the run succeeds, so
 * a sink's files are committed or discarded with the run; `files` are the paths it wrote, relative to
 * `outDir` (checked to exist inside it, and listed in the run manifest).
 */
export interface Sink {
  write(inputs: Readonly<Record<string, Artifact | undefined>>, outDir: string): Promise<NodeReport & { readonly files: readonly string[] }>;
}

export interface KindInterfaces {
  source: Source;
  transform: Transform;
  regressor: Regressor;
  model: TableModel;
  downscaler: Downscaler;
  inverter: Inverter;
  fuser: Fuser;
  validator: Validator;
  sink: Sink;
}
