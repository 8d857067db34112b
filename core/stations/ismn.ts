import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { inputError } from '../errors.js';
import type { Stations } from '../model/stations.js';
import { splitLines } from './csv-line.js';
import { StationsBuilder } from './stations-builder.js';

export interface IsmnOptions {
  /**
   * Which hourly records enter the daily mean: `all` (default) or only those flagged `G` (good).
   * Either way the day's flag is `G` when every record used was good, otherwise the distinct
   * non-`G` flags joined by `,` (e.g. `D05` or `U,D09`).
   */
  readonly records?: 'all' | 'good';
}

/** One ISMN .stm file: a sensor at a station, and its (sub-daily) records. */
interface IsmnSensor {
  readonly network: string;
  readonly station: string;
  readonly lat: number;
  readonly lon: number;
  readonly depthFrom: number;
  readonly depthTo: number;
  readonly sensor: string;
  readonly file: string;
  readonly dates: string[];
  readonly values: number[];
  readonly flags: string[];
}

const DATE_TOKEN = /^\d{4}\/\d{2}\/\d{2}$/;

/** `YYYY/MM/DD` naming a real day (not 2018-03-71 or month 00). */
function isCalendarDate(token: string): boolean {
  if (!DATE_TOKEN.test(token)) return false;
  const iso = token.replace(/\//g, '-');
  const ms = Date.parse(`${iso}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === iso;
}

/**
 * Read ISMN (International Soil Moisture Network) soil-moisture files: one `.stm` file, or a folder
 * searched recursively for `*_sm_*.stm`. Both ISMN layouts are understood ("header+values" and
 * "CEOP separate files"), with LF, CRLF or CR line ends. Sub-daily records are averaged to daily
 * values (UTC days); records flagged `M` (missing) or with a negative value are skipped. Each sensor
 * becomes a station with id `network/station`, suffixed `@depthFrom-depthTo` (and the sensor name)
 * when a station has several sensors; `depth` is the top of the sensing layer in metres.
 *
 * @example
 * ```ts
 * const insitu = await readIsmn('data/ISMN_download/');
 * const good = insitu.observations.get('SMOSMANIA/Narbonne')!.flags!.map((f) => f === 'G');
 * ```
 */
export async function readIsmn(pathOrFolder: string, options: IsmnOptions = {}): Promise<Stations> {
  let isDir: boolean;
  try {
    isDir = (await stat(pathOrFolder)).isDirectory();
  } catch (e) {
    throw inputError('cannot read ISMN data', { file: pathOrFolder, expected: 'an .stm file or a folder of ISMN files', found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  const files = isDir ? (await findStm(pathOrFolder)).sort() : [pathOrFolder];
  if (files.length === 0) {
    throw inputError('no ISMN soil-moisture files found', { file: pathOrFolder, expected: 'files named *_sm_*.stm', found: 'none' });
  }
  const sensors: IsmnSensor[] = [];
  for (const f of files) sensors.push(parseStm(await readFile(f, 'latin1'), f));
  return toStations(sensors, options, pathOrFolder);
}

async function findStm(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findStm(p)));
    else if (entry.isFile() && /_sm_.*\.stm$/i.test(entry.name)) out.push(p);
  }
  return out;
}

/** Parse `CSE network station… lat lon elev depth_from depth_to [rest…]` from tokens. */
function parseSiteTokens(tokens: string[], file: string, lineNo: number) {
  // The station name may contain spaces: it runs until the first of five consecutive numbers.
  for (let i = 3; i + 5 <= tokens.length; i++) {
    const nums = tokens.slice(i, i + 5).map(Number);
    if (nums.every((n) => Number.isFinite(n)) && tokens.slice(i, i + 5).every((t) => /^-?\d/.test(t))) {
      const bad = (what: string, expected: string, found: number) => inputError(`bad ISMN station ${what}`, { file, path: `line ${lineNo}, ${what}`, expected, found: String(found) });
      if (!(nums[0] >= -90 && nums[0] <= 90)) throw bad('latitude', 'a latitude in [-90, 90]', nums[0]);
      if (!(nums[1] >= -180 && nums[1] <= 180)) throw bad('longitude', 'a longitude in [-180, 180]', nums[1]);
      if (!(nums[3] >= 0 && nums[4] >= nums[3])) throw bad('depth', `depth_from >= 0 and depth_to >= depth_from (${nums[3]})`, nums[4] >= nums[3] ? nums[3] : nums[4]);
      return {
        network: tokens[1],
        station: tokens.slice(2, i).join(' '),
        lat: nums[0],
        lon: nums[1],
        depthFrom: nums[3],
        depthTo: nums[4],
        rest: tokens.slice(i + 5),
      };
    }
  }
  throw inputError('bad ISMN station line', { file, path: `line ${lineNo}`, expected: 'CSE network station lat lon elevation depth_from depth_to …', found: tokens.join(' ').slice(0, 80) });
}

function parseStm(text: string, file: string): IsmnSensor {
  const lines = splitLines(text);
  const dates: string[] = [];
  const values: number[] = [];
  const flags: string[] = [];
  let site: ReturnType<typeof parseSiteTokens> | undefined;
  let sensor = '';
  let first = true;
  for (let li = 0; li < lines.length; li++) {
    const tokens = lines[li].trim().split(/\s+/);
    if (tokens.length === 1 && tokens[0] === '') continue;
    const lineNo = li + 1;
    let record: string[];
    if (first && !DATE_TOKEN.test(tokens[0])) {
      // "header+values" layout: the first line describes the sensor.
      site = parseSiteTokens(tokens, file, lineNo);
      sensor = site.rest.join(' ');
      first = false;
      continue;
    }
    first = false;
    if (site && tokens.length >= 4 && !DATE_TOKEN.test(tokens[2])) {
      record = tokens; // date time value flag [provider flag]
    } else {
      // CEOP layout: date time date time CSE network station lat lon elev depth_from depth_to value flag pflag
      const s = parseSiteTokens(tokens.slice(4), file, lineNo);
      if (!site) site = s;
      record = [tokens[0], tokens[1], ...s.rest];
    }
    if (!isCalendarDate(record[0]) || record.length < 4) {
      throw inputError('bad ISMN record', { file, path: `line ${lineNo}`, expected: 'YYYY/MM/DD HH:MM value flag … with a real calendar date', found: lines[li].trim().slice(0, 80) });
    }
    const value = Number(record[2]);
    if (!Number.isFinite(value)) {
      throw inputError('bad ISMN value', { file, path: `line ${lineNo}, value`, expected: 'a number', found: JSON.stringify(record[2]) });
    }
    dates.push(record[0].replace(/\//g, '-'));
    values.push(value);
    flags.push(record[3]);
  }
  if (!site) throw inputError('empty ISMN file', { file, expected: 'ISMN .stm records', found: 'no lines' });
  if (!sensor) sensor = sensorFromName(file);
  return { network: site.network, station: site.station, lat: site.lat, lon: site.lon, depthFrom: site.depthFrom, depthTo: site.depthTo, sensor, file, dates, values, flags };
}

/** Sensor name from `CSE_network_station_sm_from_to_sensor_start_end.stm`. */
function sensorFromName(file: string): string {
  const m = /_sm_[-\d.]+_[-\d.]+_(.+)_\d{8}_\d{8}\.stm$/i.exec(basename(file));
  return m ? m[1] : '';
}

function toStations(sensors: IsmnSensor[], options: IsmnOptions, source: string): Stations {
  const goodOnly = options.records === 'good';
  const perStation = new Map<string, number>();
  const perDepth = new Map<string, number>();
  const depthKey = (s: IsmnSensor) => `${s.network}/${s.station}@${s.depthFrom}-${s.depthTo}`;
  for (const s of sensors) {
    const k = `${s.network}/${s.station}`;
    perStation.set(k, (perStation.get(k) ?? 0) + 1);
    perDepth.set(depthKey(s), (perDepth.get(depthKey(s)) ?? 0) + 1);
  }
  const builder = new StationsBuilder();
  for (const s of sensors) {
    let id = `${s.network}/${s.station}`;
    if (perStation.get(id)! > 1) id = depthKey(s);
    if (perDepth.get(depthKey(s))! > 1) id = `${id}/${s.sensor}`;
    if (builder.station(id)) id = `${id}/${basename(s.file)}`;
    builder.addStation({ id, lon: s.lon, lat: s.lat, depth: s.depthFrom });
    // Daily means; records are in time order within a file, but don't rely on it.
    const days = new Map<string, { sum: number; n: number; flags: Set<string> }>();
    for (let i = 0; i < s.dates.length; i++) {
      const flag = s.flags[i];
      const v = s.values[i];
      if (flag === 'M' || v < 0) continue;
      if (goodOnly && flag !== 'G') continue;
      let d = days.get(s.dates[i]);
      if (!d) days.set(s.dates[i], (d = { sum: 0, n: 0, flags: new Set() }));
      d.sum += v;
      d.n++;
      if (flag !== 'G') for (const f of flag.split(',')) if (f !== 'G') d.flags.add(f);
    }
    for (const [date, d] of days) builder.add(id, date, d.sum / d.n, d.flags.size === 0 ? 'G' : [...d.flags].join(','));
  }
  return builder.build(source, true);
}
