import {
  coarseCellOfPixels,
  describeGrid,
  inputError,
  isSoilscaleError,
  makeSeries,
  recordTable,
  runtimeError,
  sameGrid,
  type Artifact,
  type NodeReport,
  type PluginContext,
  type Series,
} from '../../../core/index.js';
import type { IntervalCalibrationParams } from '../index.js';
import { calibrationCells } from './calibration-area.js';
import { datedSeries, halfWidth, ID, pooledGroupQuantile, rescaleInterval, type Interval } from './conformal-scale.js';

/** Product and reference date indices of the dates both have. */
type DatePairs = ReadonlyArray<readonly [product: number, reference: number]>;

/** The reference, checked to be on the product's grid and to share dates with it, and the coarse cell of each pixel. */
function referenceInputs(product: Series, all: Readonly<Record<string, Artifact | undefined>>) {
  const reference = datedSeries(all, 'reference');
  if (!sameGrid(reference.grid, product.grid)) {
    throw inputError('the fine-scale reference is not on the product’s grid', { path: `${ID}.reference`, expected: `the product grid ${describeGrid(product.grid)}`, found: describeGrid(reference.grid) });
  }
  const pairs: Array<readonly [number, number]> = [];
  product.dates.forEach((date, d) => {
    const r = reference.dates.indexOf(date);
    if (r >= 0) pairs.push([d, r]);
  });
  if (pairs.length === 0) {
    const span = (s: Series) => `${s.dates[0]} … ${s.dates[s.dates.length - 1]} (${s.dates.length} dates)`;
    throw inputError('the fine-scale reference has no date in common with the product', { path: `${ID}.reference`, expected: `dates among the product's ${span(product)}`, found: span(reference) });
  }
  const coarse = all.coarse as Series | undefined;
  if (!coarse || coarse.kind !== 'series') {
    throw inputError('calibrating on a reference needs the coarse input: its cells are the calibration blocks and area units', { path: `${ID}.coarse`, expected: 'the coarse series the product was downscaled from', found: coarse ? coarse.kind : 'none' });
  }
  let cellOf: Int32Array;
  try {
    cellOf = coarseCellOfPixels(coarse.grid, product.grid);
  } catch (e) {
    if (!isSoilscaleError(e)) throw e;
    throw inputError('the product grid does not nest in the coarse grid', { path: `${ID}.coarse`, expected: `a grid the product grid ${describeGrid(product.grid)} nests in`, found: `${describeGrid(coarse.grid)} (${e.message})` });
  }
  return { reference, pairs: pairs as DatePairs, coarseGrid: coarse.grid, cellOf };
}

/** Coarse cells with at least one reference value on a shared date. */
function coveredCells(reference: Series, pairs: DatePairs, cellOf: Int32Array, cells: number): Uint8Array {
  const covered = new Uint8Array(cells);
  for (const [, r] of pairs) {
    const values = reference.values[r];
    for (let i = 0; i < values.length; i++) if (values[i] === values[i] && cellOf[i] >= 0) covered[cellOf[i]] = 1;
  }
  return covered;
}

/** Scores of the calibration area grouped by unit, and the held-out scores (reference pixels outside the area). */
function areaScores(interval: Interval, reference: Series, pairs: DatePairs, cellOf: Int32Array, area: Uint8Array, unit: IntervalCalibrationParams['unit']) {
  const units = new Map<number, number[]>();
  const heldOut: number[] = [];
  let heldOutHalfWidths = 0;
  for (const [t, [d, r]] of pairs.entries()) {
    const ref = reference.values[r];
    const z = interval.product.values[d];
    for (let i = 0; i < z.length; i++) {
      const cell = cellOf[i];
      const half = halfWidth(interval, d, i);
      if (cell < 0 || !(ref[i] === ref[i]) || !(z[i] === z[i]) || !(half > 0)) continue;
      const score = Math.abs(ref[i] - z[i]) / half;
      if (!area[cell]) {
        heldOut.push(score);
        heldOutHalfWidths += half;
        continue;
      }
      const key = unit === 'cell' ? cell : cell * pairs.length + t;
      let list = units.get(key);
      if (!list) units.set(key, (list = []));
      list.push(score);
    }
  }
  return { groups: [...units.values()].map((s) => Float64Array.from(s)), heldOut, heldOutHalfWidths };
}

/**
 * Calibration on a fine-scale reference over part of the domain (a campaign map): normalised scores
 * `|reference − product| / half-width` at the reference pixels inside the calibration area, grouped into
 * exchangeable units (coarse cell × date, or coarse cell over all dates), κ = the pooled quantile at
 * `level·(1 + 1/units)`; reference pixels outside the area give the held-out coverage. Guarantee and
 * assumptions: docs/ensembles.md, "`transform:interval-calibration` with a `reference`".
 */
export function calibrateOnReference(interval: Interval, all: Readonly<Record<string, Artifact | undefined>>, params: IntervalCalibrationParams, context: PluginContext): Readonly<Record<string, Artifact>> & NodeReport {
  const { product } = interval;
  const { reference, pairs, coarseGrid, cellOf } = referenceInputs(product, all);
  const covered = coveredCells(reference, pairs, cellOf, coarseGrid.width * coarseGrid.height);
  const area = calibrationCells(coarseGrid, covered, params.area, params.areaFraction, params.seed ?? context.seed);
  const { groups, heldOut, heldOutHalfWidths } = areaScores(interval, reference, pairs, cellOf, area, params.unit);
  const pixels = groups.reduce((a, g) => a + g.length, 0);
  const unitName = params.unit === 'cell' ? 'coarse cells' : 'coarse cell × date blocks';
  if (groups.length < params.minBlocks) {
    throw inputError('too few reference pixels in the calibration area to calibrate the interval', {
      path: `${ID}.reference`,
      expected: `at least ${params.minBlocks} (minBlocks) ${unitName} with reference values, product values and a positive half-width (area ${params.area}${params.area === 'coverage' ? '' : `, fraction ${params.areaFraction}`})`,
      found: `${groups.length} ${unitName}, ${pixels} pixels`,
    });
  }
  const scale = pooledGroupQuantile(groups, params.level);
  if (!Number.isFinite(scale)) {
    throw runtimeError(`too few ${unitName} for the interval level`, { path: `${ID}.level`, expected: `at least ${Math.ceil(params.level / (1 - params.level))} ${unitName} for level ${params.level}`, found: `${groups.length}` });
  }
  const n = heldOut.length;
  const covers = n ? heldOut.filter((s) => s <= scale).length / n : null;
  const areaCells = area.reduce((a, v) => a + v, 0);
  const areaLayer = makeSeries({ variable: 'calibration_area', grid: product.grid, dates: [], values: [Float32Array.from(cellOf, (c) => (c < 0 ? Number.NaN : area[c]))] });
  context.logger.info(`${ID}: κ = ${scale.toPrecision(4)} from ${pixels} reference pixels in ${groups.length} ${unitName}${covers === null ? '' : `; held-out coverage ${covers.toFixed(3)} on ${n} pixels`}`);
  return {
    ...rescaleInterval(interval, scale),
    area: areaLayer,
    tables: {
      calibration: recordTable(
        [{ level: params.level, reference: reference.variable, area: params.area, areaCells, unit: params.unit, units: groups.length, pixels, scale, heldOutPixels: n, heldOutCoverage: covers, heldOutMeanWidth: n ? (2 * scale * heldOutHalfWidths) / n : null }],
        undefined,
        [
          `scale κ: quantile at level·(1 + 1/units) of |reference − product| / half-width at the reference pixels of the calibration area (areaCells coarse cells), each unit (${unitName}) weighing 1; interval = product ± κ·half-width`,
          'heldOut*: reference pixels outside the calibration area — share inside the calibrated interval and its mean width (null when the area is the whole reference)',
        ],
      ),
    },
    notes: [`interval rescaled by κ = ${scale.toPrecision(4)} to cover ${params.level} of the fine-scale reference '${reference.variable}' (${groups.length} ${unitName} in ${areaCells} coarse cells)`],
  } as unknown as Readonly<Record<string, Artifact>> & NodeReport;
}
