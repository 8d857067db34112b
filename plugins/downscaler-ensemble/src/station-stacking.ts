import { inputError, makeSeries, recordTable, sampleStationsAtPixels, type RecordTable, type Series, type StationFilter, type Stations } from '../../../core/index.js';
import { blockLayout, pixelCells } from '../../../lib/regression-engine/index.js';
import { stackWeights, type StackingOptions } from './stacking.js';

const PATH = 'downscaler:ensemble.stations';

/** Which station observations enter the fit (as in `validator:insitu`). */
export type { StationFilter };

/**
 * Station rows of fine-scale stacking: at every station's pixel and every product date with an accepted
 * observation, the station's deviation from the pixel's coarse value (`y`) and each member product's
 * (`x[m]`) — the within-cell anomalies that conservation leaves to the learners. Rows where a member
 * or the coarse value is NaN are dropped. `station` is the row's station (index into `ids`).
 */
export interface StationAnomalies {
  readonly x: Float32Array[];
  readonly y: Float32Array;
  readonly station: Int32Array;
  readonly ids: readonly string[];
}

/** The station anomaly rows of `products` (same grid and dates, the coarse series' dates) against `stations`. */
export function stationAnomalies(products: readonly Series[], coarse: Series, stations: Stations, filter: StationFilter): StationAnomalies {
  const grid = products[0].grid;
  const cellOf = pixelCells(blockLayout(coarse.grid, grid, PATH));
  // A sample needs the pixel's coarse value and every member's anomaly from it.
  const hasValue = (d: number, p: number) => {
    const base = cellOf[p] < 0 ? Number.NaN : coarse.values[d][cellOf[p]];
    return base === base && products.every((prod) => !Number.isNaN(prod.values[d][p] - base));
  };
  const sampled = sampleStationsAtPixels(stations, { grid, dates: coarse.dates, depthMax: filter.depthMax, flags: filter.flags, hasValue });
  const x: number[][] = products.map(() => []);
  const y: number[] = [];
  const station: number[] = [];
  const ids: string[] = [];
  for (const { station: s, pixel, dates, values } of sampled) {
    if (!pixel || dates.length === 0) continue;
    const p = pixel.index;
    dates.forEach((d, i) => {
      const base = coarse.values[d][cellOf[p]];
      products.forEach((prod, m) => x[m].push(prod.values[d][p] - base));
      y.push(values[i] - base);
      station.push(ids.length);
    });
    ids.push(s.id);
  }
  return { x: x.map((v) => Float32Array.from(v)), y: Float32Array.from(y), station: Int32Array.from(station), ids };
}

/**
 * Stacking weights fitted on the stations' within-cell anomalies (NNLS or ridge, no intercept): `y ≈ Σ w_m x_m`.
 * The per-station bias of a sensor is independent of the learners' predictions, so it is noise in the target,
 * not a confounder; station means are not removed (that would also remove the static within-cell pattern —
 * soil, terrain — which is most of what the weights should judge). Needs more stations than members.
 */
export function fitStationWeights(rows: StationAnomalies, options: StackingOptions, names: readonly string[], source?: string): { weights: Float64Array; table: RecordTable } {
  const k = rows.x.length;
  if (rows.ids.length <= k) {
    throw inputError('too few stations to fit the stacking weights at the fine scale', {
      file: source,
      path: PATH,
      expected: `more stations than learners (${k}) with accepted observations on the product's pixels and dates`,
      found: `${rows.ids.length} stations, ${rows.y.length} observations`,
    });
  }
  const weights = stackWeights(rows.x, rows.y, options);
  const rmse = (pred: (r: number) => number) => Math.sqrt(rows.y.reduce((s, v, r) => s + (pred(r) - v) ** 2, 0) / rows.y.length);
  const tableRows = names.map((name, m) => ({ learner: name, weight: weights[m], stationRmse: rmse((r) => rows.x[m][r]) }));
  tableRows.push({ learner: 'ensemble', weight: weights.reduce((a, b) => a + b, 0), stationRmse: rmse((r) => rows.x.reduce((s, x, m) => s + weights[m] * x[r], 0)) });
  const table = recordTable(tableRows, ['learner', 'weight', 'stationRmse'], [
    `weights fitted on the within-cell anomalies (value − the pixel's coarse value) of ${rows.ids.length} stations (${rows.y.length} observations) by ${options.method === 'nnls' ? 'non-negative least squares' : `ridge (λ = ${options.ridge})`}, no intercept`,
    'stationRmse: of each learner’s anomaly against the stations’; the ensemble row uses the weights fitted on these same stations (in sample)',
  ]);
  return { weights, table };
}

/**
 * The stacked product `B + Σ w_m (P_m − B)`, with `B` each pixel's coarse value: the coarse field is the
 * fixed member that absorbs `1 − Σ w`, so the block means of the product are the coarse values whenever
 * the members conserve them, for any weights. Where the coarse value is NaN (members kept with
 * `maskCoarseGaps: false`) the weighted mean `Σ w_m P_m / Σ w`; NaN where a weighted member is NaN.
 */
export function combineAnomalies(products: readonly Series[], coarse: Series, weights: Float64Array): Series {
  const cellOf = pixelCells(blockLayout(coarse.grid, products[0].grid, PATH));
  const values = products[0].values.map((_, d) =>
    Float32Array.from(cellOf, (cell, p) => {
      const base = cell < 0 ? Number.NaN : coarse.values[d][cell];
      let z = 0;
      let total = 0;
      for (let m = 0; m < products.length; m++) if (weights[m] > 0) ((z += weights[m] * (products[m].values[d][p] - (base === base ? base : 0))), (total += weights[m]));
      return base === base ? base + z : z / total;
    }),
  );
  return makeSeries({ variable: products[0].variable, grid: products[0].grid, dates: products[0].dates, values, unit: products[0].unit });
}
