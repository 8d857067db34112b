import {
  inputError,
  recordTable,
  runtimeError,
  sampleStationsAtPixels,
  type Artifact,
  type NodeReport,
  type PluginContext,
  type Stations,
  type Transform,
} from '../../../core/index.js';
import type { IntervalCalibrationParams } from '../index.js';
import { halfWidth, ID, intervalInputs, pooledGroupQuantile, rescaleInterval, type Interval } from './conformal-scale.js';
import { calibrateOnReference } from './reference-calibration.js';

/** Normalised scores `|station − product| / half-width` of one station, and the half-widths behind them. */
interface StationScores {
  readonly id: string;
  readonly scores: Float64Array;
}

function stationsInput(all: Readonly<Record<string, Artifact | undefined>>): Stations {
  const stations = all.stations as Stations | undefined;
  if (!stations || stations.kind !== 'stations') throw inputError('interval calibration needs in-situ stations', { path: `${ID}.stations`, expected: 'stations', found: stations ? stations.kind : 'none' });
  return stations;
}

/**
 * Scores at every station pixel and product date with an accepted observation on that date (flag in
 * `flags` or none, sensor no deeper than `depthMax`), a product value and a positive half-width.
 */
function stationScores(interval: Interval, stations: Stations, params: IntervalCalibrationParams): StationScores[] {
  const { product } = interval;
  const sampled = sampleStationsAtPixels(stations, { grid: product.grid, dates: product.dates, depthMax: params.depthMax, flags: params.flags, hasValue: (d, k) => product.values[d][k] === product.values[d][k] });
  const out: StationScores[] = [];
  for (const { station, pixel, dates, values } of sampled) {
    if (!pixel) continue;
    const scores: number[] = [];
    dates.forEach((d, i) => {
      const half = halfWidth(interval, d, pixel.index);
      if (half > 0) scores.push(Math.abs(values[i] - product.values[d][pixel.index]) / half);
    });
    if (scores.length > 0) out.push({ id: station.id, scores: Float64Array.from(scores) });
  }
  return out;
}

/** Calibration on the stations: κ pooled over stations, leave-one-station-out coverage. */
function calibrateOnStations(interval: Interval, stations: Stations, params: IntervalCalibrationParams, context: PluginContext): Readonly<Record<string, Artifact>> & NodeReport {
  const groups = stationScores(interval, stations, params);
  if (groups.length < params.minStations) {
    throw inputError('too few stations with observations on the product’s pixels and dates to calibrate the interval', {
      file: stations.source,
      path: `${ID}.stations`,
      expected: `at least ${params.minStations} (minStations) within the grid, no deeper than ${params.depthMax} m, with observations flagged ${params.flags.join('/') || '(any)'} or unflagged`,
      found: `${groups.length}`,
    });
  }
  const scale = pooledGroupQuantile(groups.map((g) => g.scores), params.level);
  if (!Number.isFinite(scale)) {
    throw runtimeError('too few stations for the interval level', { path: `${ID}.level`, expected: `at least ${Math.ceil(params.level / (1 - params.level))} stations for level ${params.level}`, found: `${groups.length}` });
  }
  // Leave one station out: its coverage by the interval calibrated on the others.
  const losoRows = groups.map((g, j) => {
    const k = pooledGroupQuantile(groups.filter((_, i) => i !== j).map((o) => o.scores), params.level);
    const inside = g.scores.filter((s) => s <= k).length;
    return { station: g.id, samples: g.scores.length, scale: Number.isFinite(k) ? k : null, coverage: inside / g.scores.length };
  });
  const pooled = losoRows.reduce((a, r) => a + r.coverage * r.samples, 0) / losoRows.reduce((a, r) => a + r.samples, 0);
  const perStation = losoRows.reduce((a, r) => a + r.coverage, 0) / losoRows.length;
  const samples = groups.reduce((a, g) => a + g.scores.length, 0);
  context.logger.info(`${ID}: κ = ${scale.toPrecision(4)} from ${groups.length} stations (${samples} samples); leave-one-station-out coverage ${perStation.toFixed(3)}`);
  return {
    ...rescaleInterval(interval, scale),
    tables: {
      calibration: recordTable([{ level: params.level, stations: groups.length, samples, scale, losoCoverage: perStation, losoCoveragePooled: pooled }], undefined, [
        'scale κ: quantile at level·(1 + 1/stations) of |station − product| / half-width at the station pixels, each station weighing 1 (CDF pooling); interval = product ± κ·half-width',
        'losoCoverage: mean over stations of the share of its observations inside the interval calibrated without it; losoCoveragePooled: over all samples',
      ]),
      loso: recordTable(losoRows, ['station', 'samples', 'scale', 'coverage'], ['each station’s coverage by the interval calibrated on the other stations (its scale)']),
    },
    notes: [`interval rescaled by κ = ${scale.toPrecision(4)} to cover ${params.level} of in-situ observations (${groups.length} stations); leave-one-station-out coverage ${perStation.toFixed(3)}`],
  } as unknown as Readonly<Record<string, Artifact>> & NodeReport;
}

/** Calibrates on the `reference` raster when one is given, on the `stations` otherwise (never both). */
export function createIntervalCalibration(params: IntervalCalibrationParams, context: PluginContext): Transform {
  return {
    async apply(all) {
      const interval = intervalInputs(all);
      if (all.reference && all.stations) {
        throw inputError('interval calibration takes a fine-scale reference or stations, not both', { path: `${ID}.inputs`, expected: 'either `reference` (with `coarse`) or `stations`', found: 'both' });
      }
      if (all.reference) return calibrateOnReference(interval, all, params, context);
      return calibrateOnStations(interval, stationsInput(all), params, context);
    },
  };
}
