import { recordTable, runtimeError, stationPixels, type Artifact, type NodeReport, type RecordTable, type Series, type Stations } from '../../../core/index.js';
import type { SampleAtStationsParams } from '../index.js';

type Cell = string | number | null;

/** The station table of `inputs.predictors` sampled at `inputs.stations` (see the manifest). */
export function sampleAtStations(inputs: Readonly<Record<string, Artifact | undefined>>, params: SampleAtStationsParams): Readonly<Record<string, Artifact>> & NodeReport {
  const stations = inputs.stations as Stations;
  const predictors = inputs.predictors as unknown as Readonly<Record<string, Series>>;
  const names = Object.keys(predictors);
  if (names.includes(params.target) || ['station', 'lon', 'lat', 'date'].some((c) => names.includes(c))) {
    throw runtimeError('a predictor is named like a column of the table', { path: 'with.predictors', expected: `names other than station, lon, lat, date, ${params.target}`, found: names.join(', ') });
  }
  // The pixel of every station on each predictor's grid (undefined outside it).
  const pixels = names.map((n) => stationPixels(stations, predictors[n].grid).map((p) => p?.index));
  const temporal = names.map((n) => predictors[n].dates.length > 0);
  const dateIndex = names.map((n) => new Map(predictors[n].dates.map((d, i) => [d, i])));
  const predictorDates = [...new Set(names.flatMap((n) => predictors[n].dates))].sort();
  const rows: Record<string, Cell>[] = [];
  const outside: string[] = [];
  stations.stations.forEach((st, s) => {
    if (pixels.every((p) => p[s] === undefined)) return void outside.push(st.id);
    const obs = stations.observations.get(st.id);
    const observed = new Map(obs?.dates.map((d, i) => [d, obs.values[i]]) ?? []);
    const dates = params.rows === 'all' && predictorDates.length ? predictorDates : [...observed.keys()].filter((d) => predictorDates.length === 0 || predictorDates.includes(d));
    for (const date of dates) {
      const sm = observed.get(date);
      if (params.rows === 'observed' && !(sm !== undefined && Number.isFinite(sm))) continue;
      const row: Record<string, Cell> = { station: st.id, lon: st.lon, lat: st.lat, date, [params.target]: sm !== undefined && Number.isFinite(sm) ? sm : null };
      names.forEach((n, j) => {
        const pixel = pixels[j][s];
        const k = temporal[j] ? dateIndex[j].get(date) : 0;
        const v = pixel === undefined || k === undefined ? Number.NaN : predictors[n].values[k][pixel];
        row[n] = Number.isFinite(v) ? v : null;
      });
      rows.push(row);
    }
  });
  const notes = outside.length ? [`${outside.length} stations outside every predictor's grid left out: ${outside.slice(0, 10).join(', ')}${outside.length > 10 ? ', …' : ''}`] : [];
  if (rows.length === 0) throw runtimeError('no station row: no station has an observation on a predictor date inside the grids', { path: 'with.stations', expected: 'stations inside the predictors\' grids, observed on their dates', found: `${stations.stations.length} stations, ${predictorDates.length} predictor dates` });
  const table: RecordTable = recordTable(rows, ['station', 'lon', 'lat', 'date', params.target, ...names], notes);
  // Transform results mix artifacts with the report fields (notes): the engine separates them.
  return { table, notes } as unknown as Readonly<Record<string, Artifact>> & NodeReport;
}
