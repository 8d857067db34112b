import {
  aggregateToGrid,
  checkNesting,
  inputError,
  isStatic,
  nearestDateIndex,
  pixelCount,
  stationPixels,
  type Series,
  type Stations,
} from '../../../core/index.js';
import type { RadarStack } from './radar-stack.js';
import { cosSquaredRatio } from './wcm-model.js';

/** Calibration samples with the bookkeeping needed to group them (class, orbit) and report them. */
export interface CalibrationSamples {
  readonly v: Float64Array;
  readonly theta: Float64Array;
  readonly sm: Float64Array;
  readonly sigmaDb: Float64Array;
  /** Land-cover class of the sample (majority of its pixels), NaN when unknown. */
  readonly landcover: Float64Array;
  readonly orbit: Float64Array;
  readonly source: 'reference' | 'stations';
  /** Radar dates that found no reference/station value. */
  readonly unmatchedDates: readonly string[];
}

interface SampleBuffers {
  v: number[];
  theta: number[];
  sm: number[];
  sigmaDb: number[];
  landcover: number[];
  orbit: number[];
}

const emptyBuffers = (): SampleBuffers => ({ v: [], theta: [], sm: [], sigmaDb: [], landcover: [], orbit: [] });

/** One calibration sample; σ⁰ is the linear mean over the sample's pixels (stored in dB). */
interface Sample {
  readonly v: number;
  readonly theta: number;
  readonly sm: number;
  readonly sigmaLinear: number;
  readonly landcover: number;
  readonly orbit: number;
}

function pushSample(b: SampleBuffers, s: Sample): void {
  b.v.push(s.v);
  b.theta.push(s.theta);
  b.sm.push(s.sm);
  b.sigmaDb.push(10 * Math.log10(s.sigmaLinear));
  b.landcover.push(s.landcover);
  b.orbit.push(s.orbit);
}

function finish(b: SampleBuffers, source: CalibrationSamples['source'], unmatchedDates: string[]): CalibrationSamples {
  return {
    v: Float64Array.from(b.v),
    theta: Float64Array.from(b.theta),
    sm: Float64Array.from(b.sm),
    sigmaDb: Float64Array.from(b.sigmaDb),
    landcover: Float64Array.from(b.landcover),
    orbit: Float64Array.from(b.orbit),
    source,
    unmatchedDates,
  };
}

/** One linear σ⁰ brought to the reference angle when the form normalises (before any averaging). */
function sigmaAtReference(sigmaLinear: number, incidence: number, normaliseTo: number | undefined): number {
  return normaliseTo === undefined ? sigmaLinear : sigmaLinear * cosSquaredRatio(incidence, normaliseTo);
}

/** σ⁰ linear of one date, brought to the reference angle when the form normalises. */
function sigmaForFit(sigmaLinear: Float32Array, incidence: Float32Array, normaliseTo: number | undefined): Float32Array {
  if (normaliseTo === undefined) return sigmaLinear;
  return Float32Array.from(sigmaLinear, (s, p) => sigmaAtReference(s, incidence[p], normaliseTo));
}

/**
 * Samples on the reference product's grid (calibration without in-situ data): on each radar date
 * with a reference date within `toleranceDays`, σ⁰ is averaged **in linear units** over the fine
 * pixels of each reference cell, then converted to dB; descriptor and incidence are averaged;
 * land cover is the majority class. A cell needs `minValidFraction` usable fine pixels (the same
 * pixels for every variable).
 */
export function referenceSamples(
  stack: RadarStack,
  reference: Series,
  options: { readonly toleranceDays: number; readonly minValidFraction: number; readonly normaliseTo?: number },
): CalibrationSamples {
  const coarse = reference.grid;
  checkNesting(coarse, stack.grid); // throws an input error naming both grids
  const n = pixelCount(stack.grid);
  const b = emptyBuffers();
  const unmatched: string[] = [];
  const lcCoarse = stack.landcover ? aggregateToGrid(stack.landcover, stack.grid, coarse, { method: 'majority', minValidFraction: 0 }) : undefined;
  const agg = { method: 'mean' as const, minValidFraction: options.minValidFraction };
  for (const item of stack.dates) {
    const r = isStatic(reference) ? 0 : nearestDateIndex(reference.dates, item.date, options.toleranceDays);
    if (r < 0) {
      unmatched.push(item.date);
      continue;
    }
    const sigma = sigmaForFit(item.sigmaLinear, item.incidence, options.normaliseTo);
    // Same pixel set for every variable: the usable σ⁰ pixels.
    const v = new Float32Array(n);
    const t = new Float32Array(n);
    for (let p = 0; p < n; p++) {
      const ok = sigma[p] === sigma[p];
      v[p] = ok ? Math.max(0, item.descriptor[p]) : Number.NaN;
      t[p] = ok ? item.incidence[p] : Number.NaN;
    }
    const sC = aggregateToGrid(sigma, stack.grid, coarse, agg);
    const vC = aggregateToGrid(v, stack.grid, coarse, agg);
    const tC = aggregateToGrid(t, stack.grid, coarse, agg);
    const ref = reference.values[r];
    for (let k = 0; k < sC.length; k++) {
      if (!(sC[k] > 0 && vC[k] === vC[k] && tC[k] === tC[k] && ref[k] === ref[k])) continue;
      pushSample(b, { v: vC[k], theta: tC[k], sm: ref[k], sigmaLinear: sC[k], landcover: lcCoarse ? lcCoarse[k] : Number.NaN, orbit: item.orbit });
    }
  }
  return finish(b, 'reference', unmatched);
}

/**
 * Samples at in-situ stations: σ⁰ averaged in linear units over a `window × window` block of fine
 * pixels centred on the station, descriptor and incidence likewise, paired with the station value on
 * the radar date (or the nearest within `toleranceDays`).
 */
export function stationSamples(
  stack: RadarStack,
  stations: Stations,
  options: { readonly toleranceDays: number; readonly window: number; readonly normaliseTo?: number },
): CalibrationSamples {
  const grid = stack.grid;
  const pixels = stationPixels(stations, grid);
  const half = Math.floor(options.window / 2);
  const b = emptyBuffers();
  const matchedDates = new Set<string>();
  for (const [i, station] of stations.stations.entries()) {
    const obs = stations.observations.get(station.id);
    if (!obs) continue;
    const pixel = pixels[i];
    if (!pixel) continue;
    const { col, row } = pixel;
    for (const item of stack.dates) {
      const j = nearestDateIndex(obs.dates, item.date, options.toleranceDays);
      if (j < 0 || !(obs.values[j] === obs.values[j])) continue;
      let s = 0;
      let v = 0;
      let t = 0;
      let count = 0;
      for (let r = Math.max(0, row - half); r <= Math.min(grid.height - 1, row + half); r++) {
        for (let c = Math.max(0, col - half); c <= Math.min(grid.width - 1, col + half); c++) {
          const p = r * grid.width + c;
          const lin = item.sigmaLinear[p];
          if (!(lin === lin)) continue;
          s += sigmaAtReference(lin, item.incidence[p], options.normaliseTo);
          v += Math.max(0, item.descriptor[p]);
          t += item.incidence[p];
          count++;
        }
      }
      if (count === 0) continue;
      matchedDates.add(item.date);
      pushSample(b, {
        v: v / count,
        theta: t / count,
        sm: obs.values[j],
        sigmaLinear: s / count,
        landcover: stack.landcover ? stack.landcover[row * grid.width + col] : Number.NaN,
        orbit: item.orbit,
      });
    }
  }
  if (b.sm.length === 0) {
    throw inputError('no station falls on a usable radar pixel on a radar date', {
      path: 'inverter:wcm.stations',
      expected: 'stations inside the σ⁰ grid with observations on radar dates',
      found: `${stations.stations.length} stations${stations.source ? ` from ${stations.source}` : ''}`,
    });
  }
  return finish(b, 'stations', stack.dates.map((d) => d.date).filter((d) => !matchedDates.has(d)));
}
