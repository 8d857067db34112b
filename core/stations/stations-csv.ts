import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { Stations } from '../model/stations.js';
import { csvField, splitCsvLine, splitLines } from './csv-line.js';
import { StationsBuilder } from './stations-builder.js';

const REQUIRED = ['station', 'lon', 'lat', 'depth_m', 'date', 'sm'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Read in-situ soil moisture from the soilscale stations CSV: header
 * `station,lon,lat,depth_m,date,sm[,flag]` (any column order, extra columns ignored), one row per
 * observation, lon/lat in WGS84 degrees, depth in metres, `sm` in m³/m³ (empty or `NaN` = missing).
 * Stations keep their first-appearance order; dates are sorted ascending per station.
 *
 * @throws SoilscaleError (input) naming the file, line, column, expected and found for any bad row.
 * @example
 * ```ts
 * const stations = await readStationsCsv('demo/stations.csv');
 * stations.observations.get('SYN01')!.values; // Float32Array of sm
 * ```
 */
export async function readStationsCsv(path: string): Promise<Stations> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw inputError('cannot read stations file', { file: path, expected: 'a readable CSV file', found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  return parseStationsCsv(text.replace(/^\uFEFF/, ''), path);
}

/** Parse the stations CSV text; `file` is used in messages. */
export function parseStationsCsv(text: string, file: string): Stations {
  const lines = splitLines(text);
  const header = (splitCsvLine(lines[0] ?? '') ?? []).map((h) => h.trim().toLowerCase());
  const col: Record<string, number> = {};
  for (const name of [...REQUIRED, 'flag']) col[name] = header.indexOf(name);
  const missing = REQUIRED.filter((n) => col[n] < 0);
  if (missing.length > 0) {
    throw inputError(`stations CSV header lacks ${missing.join(', ')}`, {
      file,
      path: 'line 1',
      expected: 'station,lon,lat,depth_m,date,sm[,flag]',
      found: lines[0]?.slice(0, 80) ?? '(empty file)',
    });
  }
  const builder = new StationsBuilder();
  const hasFlag = col.flag >= 0;
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const lineNo = li + 1;
    const fields = splitCsvLine(line);
    const bad = (column: string, expected: string, found: string) =>
      inputError('bad stations row', { file, path: `line ${lineNo}, column ${column}`, expected, found });
    if (!fields) throw bad('(row)', 'closed quotes', line.slice(0, 80));
    if (fields.length < header.length) throw bad('(row)', `${header.length} fields`, `${fields.length}`);
    const id = fields[col.station].trim();
    if (id === '') throw bad('station', 'a station id', '""');
    const num = (name: string, lo: number, hi: number, what: string): number => {
      const raw = fields[col[name]].trim();
      const v = Number(raw);
      if (raw === '' || !Number.isFinite(v) || v < lo || v > hi) throw bad(name, what, JSON.stringify(raw));
      return v;
    };
    const lon = num('lon', -180, 180, 'longitude in [-180, 180]');
    const lat = num('lat', -90, 90, 'latitude in [-90, 90]');
    const depth = num('depth_m', 0, 100, 'depth in metres >= 0');
    const date = fields[col.date].trim();
    if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
      throw bad('date', 'a date YYYY-MM-DD', JSON.stringify(date));
    }
    const smRaw = fields[col.sm].trim();
    let sm = Number.NaN;
    if (smRaw !== '' && smRaw.toLowerCase() !== 'nan') {
      sm = Number(smRaw);
      if (!Number.isFinite(sm) || sm < 0 || sm > 1) throw bad('sm', 'volumetric soil moisture in [0, 1] m³/m³, or empty', JSON.stringify(smRaw));
    }
    const known = builder.station(id);
    if (!known) builder.addStation({ id, lon, lat, depth });
    else if (known.lon !== lon || known.lat !== lat || known.depth !== depth) {
      throw bad(
        known.depth !== depth ? 'depth_m' : known.lon !== lon ? 'lon' : 'lat',
        `the same location and depth on every row of station ${id} (${known.lon}, ${known.lat}, ${known.depth} m); use a distinct id per sensor`,
        `${lon}, ${lat}, ${depth} m`,
      );
    }
    builder.add(id, date, sm, hasFlag ? fields[col.flag].trim() : undefined);
  }
  const dup = builder.firstDuplicate();
  if (dup) throw inputError('duplicate observation', { file, path: `station ${dup.id}`, expected: 'one row per station and date', found: `two rows dated ${dup.date}` });
  return builder.build(file, hasFlag);
}

/** Shortest decimal text that reads back to the same float32 value. */
function float32Text(v: number): string {
  if (Number.isNaN(v)) return '';
  for (let p = 6; p <= 9; p++) {
    const s = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(s)) === v) return s;
  }
  return String(v);
}

/**
 * Write stations as the soilscale stations CSV (atomic). The `flag` column is written when any
 * station has flags.
 *
 * @example
 * ```ts
 * await writeStationsCsv('out/stations.csv', stations);
 * ```
 */
export async function writeStationsCsv(path: string, stations: Stations): Promise<void> {
  const withFlags = [...stations.observations.values()].some((o) => o.flags !== undefined);
  const rows: string[] = [withFlags ? 'station,lon,lat,depth_m,date,sm,flag' : 'station,lon,lat,depth_m,date,sm'];
  for (const s of stations.stations) {
    const obs = stations.observations.get(s.id);
    if (!obs) continue;
    const head = `${csvField(s.id)},${s.lon},${s.lat},${s.depth}`;
    for (let i = 0; i < obs.dates.length; i++) {
      const base = `${head},${obs.dates[i]},${float32Text(obs.values[i])}`;
      rows.push(withFlags ? `${base},${csvField(obs.flags?.[i] ?? '')}` : base);
    }
  }
  await writeFileAtomic(path, rows.join('\n') + '\n');
}
