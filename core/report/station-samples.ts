import type { Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import { stationPixels } from '../stations/sample-at-pixels.js';

/** A station's pixel on a grid and its observations on the series' dates. */
export interface StationSample {
  readonly station: string;
  readonly pixel: number;
  /** Pairs on common dates: date, in-situ value, product value (both finite). */
  readonly pairs: readonly { readonly date: string; readonly insitu: number; readonly product: number }[];
}

/**
 * Product values at the pixels holding stations, paired with the in-situ value of the same date.
 * Stations outside the grid are left out.
 *
 * @example
 * ```ts
 * const samples = sampleStations(product, stations);
 * const n = samples.reduce((k, s) => k + s.pairs.length, 0);
 * ```
 */
export function sampleStations(product: Series, stations: Stations): StationSample[] {
  const pixels = stationPixels(stations, product.grid);
  const out: StationSample[] = [];
  const dateIndex = new Map(product.dates.map((d, i) => [d, i]));
  for (const [si, st] of stations.stations.entries()) {
    const pixel = pixels[si]?.index;
    if (pixel === undefined) continue;
    const obs = stations.observations.get(st.id);
    const pairs: { date: string; insitu: number; product: number }[] = [];
    obs?.dates.forEach((d, i) => {
      const k = product.dates.length === 0 ? 0 : dateIndex.get(d);
      if (k === undefined) return;
      const p = product.values[k][pixel];
      const v = obs.values[i];
      if (Number.isFinite(p) && Number.isFinite(v)) pairs.push({ date: d, insitu: v, product: p });
    });
    out.push({ station: st.id, pixel, pairs });
  }
  return out;
}
