import { projectStations } from '../crs/project-stations.js';
import { nearestDay, parseDate } from '../grid-ops/dates.js';
import { pixelContaining, type Grid } from '../model/grid.js';
import type { Station, StationSeries, Stations } from '../model/stations.js';
import type { StationFilter } from './station-filter.js';

/** The pixel of a grid that contains a station. */
export interface StationPixel {
  readonly col: number;
  readonly row: number;
  /** `row * width + col`: the station's index into a band of the grid. */
  readonly index: number;
}

/**
 * Every station's pixel on `grid` (the pixel containing its projected location, see `pixelContaining`),
 * `undefined` for a station outside the grid; in the order of `stations.stations`.
 *
 * @example
 * ```ts
 * const pixels = stationPixels(stations, smCoarse.grid);
 * const k = pixels[0]?.index; // smCoarse.values[d][k] is the first station's coarse value on date d
 * ```
 */
export function stationPixels(stations: Stations, grid: Grid): (StationPixel | undefined)[] {
  return projectStations(stations, grid).stations.map((s) => pixelOf(s, grid));
}

function pixelOf(station: Station, grid: Grid): StationPixel | undefined {
  const p = station.x === undefined || station.y === undefined ? undefined : pixelContaining(grid, station.x, station.y);
  return p && { col: p[0], row: p[1], index: p[1] * grid.width + p[0] };
}

/** What decides which station observations are samples of a product (the in-situ validation practice, metrics.md). */
export interface PixelSamplingOptions extends StationFilter {
  /** The product's grid: a station samples the pixel containing it. */
  readonly grid: Grid;
  /** The product's dates (strictly ascending). Empty for a static product: see `staticProduct`. */
  readonly dates: readonly string[];
  /**
   * The product is one static layer, valid on every date (default false): every accepted observation is then
   * a sample of it (date index 0), where it has a value. Without it, a product with no dates matches nothing.
   */
  readonly staticProduct?: boolean;
  /**
   * Temporal matching window in days (default 0: the same date). Each product date takes the accepted
   * observation nearest in time within the window, the earlier one on ties, so it has at most one sample.
   */
  readonly maxDaysApart?: number;
  /**
   * Whether the product has a value at a pixel on a date (index into `dates`, pixel index); default: always.
   * A match where it has none is no sample (`no-product-value`). E.g. `(d, k) => !Number.isNaN(product.values[d][k])`.
   */
  readonly hasValue?: (date: number, pixel: number) => boolean;
}

/** Why a station yields no sample at all, checked in this order. */
export type StationExclusion = 'too-deep' | 'outside-grid' | 'no-observations';

/**
 * Why an observation of a sampled station enters no sample (exactly one reason each): `no-value` (NaN or
 * infinite), `rejected-flag` (a flag not accepted; checked after `no-value`), `no-product-date` (no product
 * date within `maxDaysApart`), `not-nearest` (every product date within the window took another observation,
 * nearer or earlier), `no-product-value` (the product has no value at the pixel on every date it matched).
 */
export type ObservationExclusion = 'no-value' | 'rejected-flag' | 'no-product-date' | 'not-nearest' | 'no-product-value';

const OBSERVATION_EXCLUSIONS: readonly ObservationExclusion[] = ['no-value', 'rejected-flag', 'no-product-date', 'not-nearest', 'no-product-value'];

/** One station's account: where it lies, its samples in date order, and everything left out. */
export interface SampledStation {
  /** The station, with `x`/`y` in the grid's CRS. */
  readonly station: Station;
  /** The pixel containing it (also given for a station excluded as too deep); undefined outside the grid. */
  readonly pixel?: StationPixel;
  /** Set when the station has no sample for a station-wide reason; its observations are then not examined. */
  readonly excluded?: StationExclusion;
  /** Per sample: index into the product's dates (ascending). */
  readonly dates: Int32Array;
  /** Per sample: index of the matched observation in the station's series. */
  readonly observations: Int32Array;
  /** Per sample: the observed value. */
  readonly values: Float32Array;
  /** Indices (into the station's series) of the observations that are no sample, by reason. */
  readonly dropped: Readonly<Record<ObservationExclusion, Int32Array>>;
}

/**
 * Station observations sampled at a product's pixels: each station projected to the product's grid, kept
 * when its sensor is no deeper than `depthMax` and it lies inside the grid; each accepted observation
 * (finite value, flag accepted or none) paired with the product date it matches, at the pixel containing
 * the station. Returns one account per station, in the order of `stations.stations`, which says for every
 * station and every observation either what sample it gave or why it gave none.
 *
 * @example
 * ```ts
 * const sampled = sampleStationsAtPixels(stations, { grid: product.grid, dates: product.dates, depthMax: 0.05, flags: ['G'],
 *   hasValue: (d, k) => !Number.isNaN(product.values[d][k]) });
 * const pairs: [insitu: number, product: number][] = [];
 * for (const s of sampled) s.dates.forEach((d, i) => pairs.push([s.values[i], product.values[d][s.pixel!.index]]));
 * const rejected = sampled.reduce((n, s) => n + s.dropped['rejected-flag'].length, 0); // observations with a flag not accepted
 * ```
 */
export function sampleStationsAtPixels(stations: Stations, options: PixelSamplingOptions): SampledStation[] {
  const productDays = options.dates.map(parseDate);
  const accepted = new Set(options.flags);
  return projectStations(stations, options.grid).stations.map((station) => {
    const pixel = pixelOf(station, options.grid);
    const series = stations.observations.get(station.id);
    const excluded: StationExclusion | undefined = !(station.depth <= options.depthMax) ? 'too-deep' : !pixel ? 'outside-grid' : !series ? 'no-observations' : undefined;
    if (excluded || !pixel || !series) return { station, ...(pixel ? { pixel } : {}), ...(excluded ? { excluded } : {}), ...noSamples() };
    return { station, pixel, ...matchSeries(series, productDays, accepted, pixel.index, options) };
  });
}

function noSamples(): Pick<SampledStation, 'dates' | 'observations' | 'values' | 'dropped'> {
  const dropped = Object.fromEntries(OBSERVATION_EXCLUSIONS.map((r) => [r, new Int32Array(0)])) as Record<ObservationExclusion, Int32Array>;
  return { dates: new Int32Array(0), observations: new Int32Array(0), values: new Float32Array(0), dropped };
}

/** The samples of one station's series at `pixel`, and its observations dropped by reason. */
function matchSeries(series: StationSeries, productDays: readonly number[], accepted: ReadonlySet<string>, pixel: number, options: PixelSamplingOptions) {
  const maxDays = options.maxDaysApart ?? 0;
  // Each list fills in ascending observation order.
  const dropped = Object.fromEntries(OBSERVATION_EXCLUSIONS.map((r) => [r, [] as number[]])) as Record<ObservationExclusion, number[]>;
  const days: number[] = []; // of the accepted observations, ascending
  const index: number[] = [];
  series.dates.forEach((date, i) => {
    const flag = series.flags?.[i] ?? '';
    if (!Number.isFinite(series.values[i])) dropped['no-value'].push(i);
    else if (flag !== '' && !accepted.has(flag)) dropped['rejected-flag'].push(i);
    else {
      days.push(parseDate(date));
      index.push(i);
    }
  });
  if (options.staticProduct) return staticSamples(series, index, pixel, options, dropped);
  const used = new Uint8Array(days.length); // 1: in a sample, 2: matched only where the product has no value
  const dates: number[] = [];
  const observations: number[] = [];
  productDays.forEach((t, d) => {
    const j = nearestDay(days, t, maxDays);
    if (j < 0) return;
    if (options.hasValue && !options.hasValue(d, pixel)) {
      if (used[j] === 0) used[j] = 2;
      return;
    }
    used[j] = 1;
    dates.push(d);
    observations.push(index[j]);
  });
  index.forEach((i, j) => {
    if (used[j] === 1) return;
    dropped[used[j] === 2 ? 'no-product-value' : nearestDay(productDays, days[j], maxDays) < 0 ? 'no-product-date' : 'not-nearest'].push(i);
  });
  return {
    dates: Int32Array.from(dates),
    observations: Int32Array.from(observations),
    values: Float32Array.from(observations, (i) => series.values[i]),
    dropped: droppedArrays(dropped),
  };
}

/** A static product: every accepted observation (`index`, ascending) is a sample of its one layer where it has a value. */
function staticSamples(series: StationSeries, index: readonly number[], pixel: number, options: PixelSamplingOptions, dropped: Record<ObservationExclusion, number[]>) {
  const valued = !options.hasValue || options.hasValue(0, pixel);
  if (!valued) dropped['no-product-value'].push(...index);
  const observations = valued ? index : [];
  return {
    dates: new Int32Array(observations.length),
    observations: Int32Array.from(observations),
    values: Float32Array.from(observations, (i) => series.values[i]),
    dropped: droppedArrays(dropped),
  };
}

function droppedArrays(dropped: Record<ObservationExclusion, number[]>): Readonly<Record<ObservationExclusion, Int32Array>> {
  return Object.fromEntries(OBSERVATION_EXCLUSIONS.map((r) => [r, Int32Array.from(dropped[r])])) as Record<ObservationExclusion, Int32Array>;
}
