/** One in-situ station. `x`/`y` are the location in the CRS of the grid it was projected to, if any. */
export interface Station {
  readonly id: string;
  readonly lon: number;
  readonly lat: number;
  /** Sensor depth in metres (top of the layer, e.g. 0.05). */
  readonly depth: number;
  readonly x?: number;
  readonly y?: number;
}

/** The time series of one station: parallel arrays, ascending dates. */
export interface StationSeries {
  readonly dates: readonly string[];
  readonly values: Float32Array;
  /** Quality flags as given by the source (ISMN `G`, `D01`, …); empty string when none. */
  readonly flags?: readonly string[];
}

/**
 * In-situ soil-moisture stations (m³/m³) and their observations.
 *
 * @example
 * ```ts
 * for (const s of stations.stations) {
 *   const obs = stations.observations.get(s.id)!;
 *   console.log(s.id, obs.dates.length);
 * }
 * ```
 */
export interface Stations {
  readonly kind: 'stations';
  readonly stations: readonly Station[];
  readonly observations: ReadonlyMap<string, StationSeries>;
  /** CRS of `x`/`y`, when the stations were projected to a grid. */
  readonly crs?: string;
  /** File the stations came from, for messages. */
  readonly source?: string;
}
