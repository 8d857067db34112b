/**
 * The real station table of the RF accuracy check (issue 17): DEOS daily soil moisture (Delaware, 2018,
 * `../shared/data/real/deos-delaware-warnerdl`) as one row per station-day with an observation, and
 * features a station-table study would have: the network's mean of the *other* stations that day
 * (a coarse-product stand-in, continuous: thousands of distinct values), day of year as sin/cos, and the
 * station's latitude, longitude and elevation. Rows are split once, 80 % fit / 20 % test, by a seeded
 * shuffle; the table is written to `bench/data/deos-station-table.bin` so that scikit-learn
 * (`bench/rf-station-sklearn.py`) fits the very same rows.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, createTable, runtimeError, splitCsvLine, splitLines, type Table } from '../core/index.js';
import { createPluginContext, createWorkerPool } from '../core/index.js';
import { rfPlugin, type RandomForestParams } from '../plugins/regressor-rf/index.js';
import { flagValue, peakRssMiB, printTable, timed } from './report.js';
import { benchDataDir, cpuSeconds, sharedBenchDir, startPython } from './sklearn-peer.js';

export const STATION_FEATURES = ['sm_network', 'doy_sin', 'doy_cos', 'lat', 'lon', 'elev_m'] as const;

export interface StationTable {
  readonly fit: Table;
  readonly test: Table;
  /** Row-major `[features..., y, isTest]` float32, as written for the peer. */
  readonly file: string;
}

function deosDir(): string {
  return join(sharedBenchDir(), '..', 'data', 'real', 'deos-delaware-warnerdl');
}

/** Station id → [lat, lon, elevation m] from `NetworkPoints/deos_met.csv`. */
function stationPlaces(): Map<string, [number, number, number]> {
  const file = join(deosDir(), 'NetworkPoints', 'deos_met.csv');
  const lines = splitLines(readFileSync(file, 'utf8')).filter((l) => l.trim() !== '');
  const header = splitCsvLine(lines[0])!;
  const col = (name: string) => {
    const j = header.indexOf(name);
    if (j < 0) throw runtimeError('column missing from the DEOS station file', { file, expected: name, found: header.join(',') });
    return j;
  };
  const [id, lat, lon, elev] = [col('Station'), col('Latitude'), col('Longitude'), col('Elev (m)')];
  const places = new Map<string, [number, number, number]>();
  for (const line of lines.slice(1)) {
    const f = splitCsvLine(line)!;
    places.set(f[id], [Number(f[lat]), Number(f[lon]), Number(f[elev])]);
  }
  return places;
}

/** Builds the table and its fixed split (seed 17), writing the peer's copy. */
export function loadStationTable(): StationTable {
  const file = join(deosDir(), 'deos_daily_vwc.csv');
  const lines = splitLines(readFileSync(file, 'utf8')).filter((l) => l.trim() !== '');
  const stations = splitCsvLine(lines[0])!.slice(1);
  const places = stationPlaces();
  const days = lines.slice(1).map((l) => splitCsvLine(l)!.slice(1).map((c) => (c === 'NaN' ? Number.NaN : Number(c))));
  const rows: number[][] = [];
  days.forEach((vwc, d) => {
    const doy = d + 1;
    const angle = (2 * Math.PI * doy) / 365;
    vwc.forEach((v, s) => {
      const place = places.get(stations[s]);
      if (!(v === v) || !place) return;
      let sum = 0;
      let n = 0;
      for (let o = 0; o < vwc.length; o++) if (o !== s && vwc[o] === vwc[o]) (sum += vwc[o]), n++;
      if (n === 0) return;
      rows.push([sum / n, Math.sin(angle), Math.cos(angle), ...place, v]);
    });
  });
  if (rows.length < 1000) throw runtimeError('too few DEOS station-days', { file, expected: 'about 8,900 rows with observations', found: String(rows.length) });
  const order = Array.from(rows.keys());
  const rng = createRng(17);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.round(rows.length * 0.2);
  const isTest = new Uint8Array(rows.length);
  for (let i = 0; i < nTest; i++) isTest[order[i]] = 1;
  const nf = STATION_FEATURES.length;
  const fit = createTable([...STATION_FEATURES], rows.length - nTest, true);
  const test = createTable([...STATION_FEATURES], nTest, true);
  const out = new Float32Array(rows.length * (nf + 2));
  const next = [0, 0];
  rows.forEach((r, i) => {
    const t = isTest[i] ? test : fit;
    const k = next[isTest[i]]++;
    for (let j = 0; j < nf; j++) t.x[k * nf + j] = r[j];
    t.y![k] = r[nf];
    out.set([...r, isTest[i]], i * (nf + 2));
  });
  mkdirSync(benchDataDir(), { recursive: true });
  const bin = join(benchDataDir(), 'deos-station-table.bin');
  writeFileSync(bin, out);
  return { fit, test, file: bin };
}

/** Root-mean-square error of predictions against a table's target. */
export function rmse(pred: Float32Array, t: Table): number {
  let s = 0;
  for (let i = 0; i < t.rows; i++) s += (pred[i] - t.y![i]) ** 2;
  return Math.sqrt(s / t.rows);
}

/** What `rf-station-sklearn.py` prints: per seed RMSE and fit seconds (wall and CPU). */
export interface StationPeer {
  readonly rmse: number[];
  readonly fit_s: number[];
  readonly fit_cpu_s: number[];
  readonly peakRssMiB?: number;
}

/** scikit-learn's RandomForestRegressor on the same table, one fit per seed. */
export function runStationPeer(table: StationTable, seeds: readonly number[], trees: number, maxFeatures: number, minLeaf: number, jobs: number): Promise<StationPeer> {
  const py = new URL('../../bench/rf-station-sklearn.py', import.meta.url).pathname; // from dist/bench/
  return startPython<StationPeer>([py, table.file, String(STATION_FEATURES.length), '--seeds', seeds.join(','), '--trees', String(trees), '--max-features', String(maxFeatures), '--min-leaf', String(minLeaf), '--jobs', String(jobs)]);
}

const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: readonly number[]) => Math.sqrt(a.reduce((s, v) => s + (v - mean(a)) ** 2, 0) / Math.max(1, a.length - 1));
const meanSd = (a: readonly number[], digits: number) => `${mean(a).toFixed(digits)} ± ${sd(a).toFixed(digits)}`;

/**
 * Our forest and scikit-learn's on the station table, one fit per seed: RMSE mean ± sd of each side and
 * their difference in units of the seed noise, fit wall and CPU seconds.
 */
export async function stationTableBench(flags: readonly string[]): Promise<void> {
  const seeds = [0, 1, 2, 3, 4];
  const threads = 2;
  const params: RandomForestParams = { trees: 150, maxFeatures: 2, minLeaf: 5, maxDepth: null, bootstrap: true, maxSamples: 1, maxBins: flagValue(flags, 'max-bins') ?? 255, permutationImportance: false, seed: 0 };
  const table = loadStationTable();
  const workers = createWorkerPool(threads);
  // The first fit in a process pays the workers' JIT warm-up: timed apart, not among the seeds.
  const warm = await timed(async () => (await rfPlugin.create({ ...params, seed: 99 }, createPluginContext({ workers, seed: 99 }))).fit(table.fit));
  const ours: { rmse: number[]; fit_s: number[]; fit_cpu_s: number[] } = { rmse: [], fit_s: [], fit_cpu_s: [] };
  for (const seed of seeds) {
    const rf = await rfPlugin.create({ ...params, seed }, createPluginContext({ workers, seed }));
    const cpu0 = process.cpuUsage();
    const fitted = await timed(() => rf.fit(table.fit));
    ours.fit_cpu_s.push(cpuSeconds(process.cpuUsage(cpu0)));
    ours.fit_s.push(fitted.seconds);
    ours.rmse.push(rmse((await fitted.value.predict(table.test)).mean, table.test));
  }
  const rss = peakRssMiB();
  await workers.close();
  const peer = flags.includes('--run-peer') ? await runStationPeer(table, seeds, params.trees, params.maxFeatures as number, params.minLeaf, threads) : undefined;
  const noise = peer ? Math.sqrt((sd(ours.rmse) ** 2 + sd(peer.rmse) ** 2) / seeds.length) : Number.NaN;
  const gap = peer ? `ours − peer = ${(mean(ours.rmse) - mean(peer.rmse)).toExponential(2)} (${((mean(ours.rmse) - mean(peer.rmse)) / noise).toFixed(1)} standard errors)` : '';
  printTable(
    `regressor:rf vs scikit-learn RandomForestRegressor — DEOS station table (${table.fit.rows} fit / ${table.test.rows} test rows × ${STATION_FEATURES.length} features), 150 trees, leaf 5, 2 features per split, ${params.maxBins} bins, ${threads} threads, seeds ${seeds.join(',')}; peer: ${peer ? 'live, after ours' : 'none (--run-peer)'}`,
    [
      { task: 'test RMSE (mean over seeds)', ours: mean(ours.rmse), peer: peer && mean(peer.rmse), unit: 'm³/m³', note: `ours ${meanSd(ours.rmse, 5)}, peer ${peer ? meanSd(peer.rmse, 5) : '—'}; ${gap}` },
      { task: 'fit (mean over seeds)', ours: mean(ours.fit_s), peer: peer && mean(peer.fit_s), unit: 's', note: `target ≤ 0.5; per seed ${ours.fit_s.map((s) => s.toFixed(2)).join(' ')} vs ${peer?.fit_s.map((s) => s.toFixed(2)).join(' ') ?? '—'}` },
      { task: 'first fit of the process (JIT warm-up)', ours: warm.seconds, unit: 's' },
      { task: 'fit, CPU (all threads)', ours: mean(ours.fit_cpu_s), peer: peer && mean(peer.fit_cpu_s), unit: 'CPU-s' },
      { task: 'peak memory', ours: rss, peer: peer?.peakRssMiB, unit: 'MiB', note: 'ours: the bench process so far' },
    ],
  );
}
