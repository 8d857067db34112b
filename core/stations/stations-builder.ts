import type { Station, StationSeries, Stations } from '../model/stations.js';

interface Pending {
  readonly station: Station;
  readonly dates: string[];
  readonly values: number[];
  readonly flags: string[];
  hasFlags: boolean;
}

/**
 * Collects observations per station in first-appearance order and builds `Stations` with dates sorted
 * ascending per station (stable, so equal dates keep file order).
 */
export class StationsBuilder {
  private readonly byId = new Map<string, Pending>();

  station(id: string): Station | undefined {
    return this.byId.get(id)?.station;
  }

  addStation(station: Station): void {
    if (!this.byId.has(station.id)) {
      this.byId.set(station.id, { station, dates: [], values: [], flags: [], hasFlags: false });
    }
  }

  add(id: string, date: string, value: number, flag?: string): void {
    const p = this.byId.get(id);
    if (!p) throw new Error(`station ${id} not added`);
    p.dates.push(date);
    p.values.push(value);
    p.flags.push(flag ?? '');
    if (flag !== undefined && flag !== '') p.hasFlags = true;
  }

  /** Index pairs (station id, date) that occur more than once, for error messages. */
  firstDuplicate(): { id: string; date: string } | undefined {
    for (const [id, p] of this.byId) {
      const seen = new Set<string>();
      for (const d of p.dates) {
        if (seen.has(d)) return { id, date: d };
        seen.add(d);
      }
    }
    return undefined;
  }

  build(source?: string, withFlags = false): Stations {
    const stations: Station[] = [];
    const observations = new Map<string, StationSeries>();
    for (const [id, p] of this.byId) {
      stations.push(p.station);
      const order = p.dates.map((_, i) => i);
      let sorted = true;
      for (let i = 1; i < p.dates.length; i++) if (p.dates[i - 1] > p.dates[i]) sorted = false;
      if (!sorted) order.sort((a, b) => (p.dates[a] < p.dates[b] ? -1 : p.dates[a] > p.dates[b] ? 1 : a - b));
      const series: StationSeries = {
        dates: order.map((i) => p.dates[i]),
        values: Float32Array.from(order, (i) => p.values[i]),
        ...(withFlags || p.hasFlags ? { flags: order.map((i) => p.flags[i]) } : {}),
      };
      observations.set(id, series);
    }
    return { kind: 'stations', stations, observations, ...(source ? { source } : {}) };
  }
}
