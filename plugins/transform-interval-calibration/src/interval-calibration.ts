import {
  inputError,
  isStatic,
  makeSeries,
  pixelContaining,
  projectStations,
  recordTable,
  runtimeError,
  type Artifact,
  type NodeReport,
  type PluginContext,
  type Series,
  type Stations,
  type Transform,
} from '../../../core/index.js';
import type { IntervalCalibrationParams } from '../index.js';

const ID = 'transform:interval-calibration';

/** Normalised scores `|station − product| / half-width` of one station, and the half-widths behind them. */
interface StationScores {
  readonly id: string;
  readonly scores: Float64Array;
}

/**
 * The quantile of scores pooled over groups with equal weight per group (each group's empirical CDF
 * averaged, the CDF-pooling of Dunn, Wasserman & Ramdas 2023) at `level·(1 + 1/J)` for J groups, the
 * finite-sample correction of split conformal with one unit per group. Infinite when that exceeds 1.
 */
export function pooledGroupQuantile(groups: readonly Float64Array[], level: number): number {
  const J = groups.length;
  const target = level * (1 + 1 / J);
  if (J === 0 || target > 1) return Number.POSITIVE_INFINITY;
  const all: Array<[number, number]> = [];
  for (const g of groups) for (const s of g) all.push([s, 1 / (J * g.length)]);
  all.sort((a, b) => a[0] - b[0]);
  let cdf = 0;
  for (const [s, w] of all) {
    cdf += w;
    if (cdf >= target - 1e-12) return s;
  }
  return all[all.length - 1][0];
}

function inputs(all: Readonly<Record<string, Artifact | undefined>>) {
  const series = (name: string): Series => {
    const s = all[name] as Series | undefined;
    if (!s || s.kind !== 'series' || isStatic(s)) throw inputError(`interval calibration needs a dated series '${name}'`, { path: `${ID}.${name}`, expected: 'a series with dates', found: s ? (s.kind === 'series' ? 'a static layer' : s.kind) : 'none' });
    return s;
  };
  const product = series('product');
  const lower = series('lower');
  const upper = series('upper');
  for (const [name, s] of [['lower', lower], ['upper', upper]] as const) {
    if (s.grid.width !== product.grid.width || s.grid.height !== product.grid.height || s.dates.join() !== product.dates.join()) {
      throw inputError(`interval bound '${name}' is not on the product's grid and dates`, { path: `${ID}.${name}`, expected: `${product.grid.width}×${product.grid.height}, ${product.dates.length} dates`, found: `${s.grid.width}×${s.grid.height}, ${s.dates.length} dates` });
    }
  }
  const stations = all.stations as Stations | undefined;
  if (!stations || stations.kind !== 'stations') throw inputError('interval calibration needs in-situ stations', { path: `${ID}.stations`, expected: 'stations', found: stations ? stations.kind : 'none' });
  return { product, lower, upper, stations };
}

/**
 * Scores at every station pixel and product date with an accepted observation on that date (flag in
 * `flags` or none, sensor no deeper than `depthMax`), a product value and a positive half-width.
 */
function stationScores(product: Series, lower: Series, upper: Series, stations: Stations, params: IntervalCalibrationParams): StationScores[] {
  const projected = projectStations(stations, product.grid);
  const accepted = new Set(params.flags);
  const out: StationScores[] = [];
  for (const s of projected.stations) {
    if (!(s.depth <= params.depthMax)) continue;
    const pixel = s.x === undefined || s.y === undefined ? undefined : pixelContaining(product.grid, s.x, s.y);
    const obs = projected.observations.get(s.id);
    if (!pixel || !obs) continue;
    const k = pixel[1] * product.grid.width + pixel[0];
    const scores: number[] = [];
    obs.dates.forEach((date, i) => {
      const d = product.dates.indexOf(date);
      const y = obs.values[i];
      const flag = obs.flags?.[i];
      if (d < 0 || !(y === y) || (flag && !accepted.has(flag))) return;
      const z = product.values[d][k];
      const half = (upper.values[d][k] - lower.values[d][k]) / 2;
      if (z === z && half > 0) scores.push(Math.abs(y - z) / half);
    });
    if (scores.length > 0) out.push({ id: s.id, scores: Float64Array.from(scores) });
  }
  return out;
}

export function createIntervalCalibration(params: IntervalCalibrationParams, context: PluginContext): Transform {
  return {
    async apply(all) {
      const { product, lower, upper, stations } = inputs(all);
      const groups = stationScores(product, lower, upper, stations, params);
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
      const rescale = (which: 'lower' | 'upper') =>
        makeSeries({
          ...(which === 'lower' ? lower : upper),
          values: product.values.map((z, d) =>
            Float32Array.from(z, (v, i) => {
              const half = (upper.values[d][i] - lower.values[d][i]) / 2;
              return which === 'lower' ? v - scale * half : v + scale * half;
            }),
          ),
        });
      const samples = groups.reduce((a, g) => a + g.scores.length, 0);
      context.logger.info(`${ID}: κ = ${scale.toPrecision(4)} from ${groups.length} stations (${samples} samples); leave-one-station-out coverage ${perStation.toFixed(3)}`);
      return {
        lower: rescale('lower'),
        upper: rescale('upper'),
        tables: {
          calibration: recordTable([{ level: params.level, stations: groups.length, samples, scale, losoCoverage: perStation, losoCoveragePooled: pooled }], undefined, [
            'scale κ: quantile at level·(1 + 1/stations) of |station − product| / half-width at the station pixels, each station weighing 1 (CDF pooling); interval = product ± κ·half-width',
            'losoCoverage: mean over stations of the share of its observations inside the interval calibrated without it; losoCoveragePooled: over all samples',
          ]),
          loso: recordTable(losoRows, ['station', 'samples', 'scale', 'coverage'], ['each station’s coverage by the interval calibrated on the other stations (its scale)']),
        },
        notes: [`interval rescaled by κ = ${scale.toPrecision(4)} to cover ${params.level} of in-situ observations (${groups.length} stations); leave-one-station-out coverage ${perStation.toFixed(3)}`],
      } as unknown as Readonly<Record<string, Artifact>> & NodeReport;
    },
  };
}
