/**
 * Station files fuzzing: the soilscale stations CSV and ISMN `.stm` files (both ISMN layouts, real
 * files from the ISMN reader's test data), mutated byte- and line-wise. Every input reads or fails with
 * an error naming the file; what reads satisfies the format's invariants (calendar dates, coordinates
 * in range, sm in [0, 1] or NaN for the CSV) — a mutation cannot slip a silently wrong value through.
 * Rewritings that keep the content (CRLF, BOM, column order, quoting) must read identically.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Stations } from '../../core/model/stations.js';
import { readIsmn, readStationsCsv } from '../../core/stations/index.js';
import { sharedDataPath } from '../support/shared-data.js';
import { caseCount, caseRng, FuzzTally, LONG, mutateBytes, runCase, type Rng } from './fuzz-support.js';

const CSV = [
  'station,lon,lat,depth_m,date,sm,flag',
  'N7,-3.75,40.5,0.05,2023-12-31,0.18,G',
  '"Q, ridge",2.5,41.125,0.2,2024-01-01,0.27,D09',
  'N7,-3.75,40.5,0.05,2024-01-02,,U',
  'N7,-3.75,40.5,0.05,2024-01-01,0.175,G',
  '"Q, ridge",2.5,41.125,0.2,2023-12-30,nan,',
  'Z1,150.25,-33.5,0.1,2024-02-29,0.41,G',
  '',
].join('\n');

function isCalendarDate(d: string): boolean {
  const ms = Date.parse(`${d}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === d;
}

/** Why `s` breaks the stations invariants, or `undefined`. */
function invariantBreak(s: Stations, smRange: boolean): string | undefined {
  for (const st of s.stations) {
    if (!(st.lon >= -180 && st.lon <= 180 && st.lat >= -90 && st.lat <= 90)) return `station ${st.id} at ${st.lon}, ${st.lat}`;
    if (!(st.depth >= 0)) return `station ${st.id} depth ${st.depth}`;
    const obs = s.observations.get(st.id);
    if (!obs) continue;
    for (let i = 0; i < obs.dates.length; i++) {
      if (!isCalendarDate(obs.dates[i])) return `station ${st.id} date ${obs.dates[i]}`;
      if (i > 0 && !(obs.dates[i - 1] < obs.dates[i])) return `station ${st.id} dates out of order at ${obs.dates[i]}`;
      const v = obs.values[i];
      if (!Number.isNaN(v) && (!Number.isFinite(v) || (smRange && (v < 0 || v > 1)))) return `station ${st.id} value ${v} on ${obs.dates[i]}`;
    }
  }
  return undefined;
}

/** A line-level mutation: a line dropped, duplicated or swapped, or a field replaced by an odd token. */
function mutateLines(text: string, rng: Rng): { text: string; mutation: string } {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  const kind = rng.int(4);
  if (kind === 0) return { text: lines.filter((_, k) => k !== i).join('\n'), mutation: `drop line ${i + 1}` };
  if (kind === 1) return { text: [...lines.slice(0, i), lines[i], ...lines.slice(i)].join('\n'), mutation: `duplicate line ${i + 1}` };
  if (kind === 2) {
    const j = rng.int(lines.length);
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return { text: lines.join('\n'), mutation: `swap lines ${i + 1}, ${j + 1}` };
  }
  const sep = lines[i].includes(',') ? ',' : ' ';
  const fields = lines[i].split(sep);
  const f = rng.int(fields.length);
  const odd = ['', 'NaN', '-1', '1e400', '2024-13-01', '2024/02/30', '999', '"', '-0', '0x10', 'Infinity', '١٢'][rng.int(12)];
  fields[f] = odd;
  lines[i] = fields.join(sep);
  return { text: lines.join('\n'), mutation: `line ${i + 1} field ${f + 1} = ${JSON.stringify(odd)}` };
}

function ismnSeeds(): string[] {
  const root = sharedDataPath('real', 'ismn-tuwgeo', 'tests', 'test_data');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.stm')) out.push(p);
    }
  };
  walk(root);
  return out;
}

async function fuzz(tally: FuzzTally, dir: string, seeds: Array<{ name: string; text: string; ext: string }>, read: (file: string) => Promise<Stations>, smRange: boolean, cases: number, seed: number): Promise<void> {
  const rng = caseRng(seed);
  for (let k = 0; k < cases; k++) {
    const s = seeds[k % seeds.length];
    const m = rng.next() < 0.5 ? mutateLines(s.text, rng) : (() => {
      const r = mutateBytes(Buffer.from(s.text, 'latin1'), rng);
      return { text: Buffer.from(r.bytes).toString('latin1'), mutation: r.mutation };
    })();
    const file = join(dir, `case-${k}${s.ext}`);
    writeFileSync(file, m.text, 'latin1');
    const { outcome, ms, result, detail } = await runCase([file], () => read(file));
    const broken = outcome === 'ok' ? invariantBreak(result!, smRange) : undefined;
    tally.record(broken ? 'differs' : outcome, ms, s.name, m.mutation, broken ?? detail);
    rmSync(file, { force: true });
  }
}

test('stations CSV and ISMN fuzz: read with the invariants kept, or an error naming the file', { timeout: LONG ? Infinity : 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-fuzz-stations-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tally = new FuzzTally('stations');
  await fuzz(tally, dir, [{ name: 'stations.csv', text: CSV, ext: '.csv' }], readStationsCsv, true, caseCount(100), 11);
  const ismn = ismnSeeds().map((p) => ({ name: p.slice(p.indexOf('test_data')), text: readFileSync(p, 'latin1'), ext: '_sm_0.05_0.05_x_20070101_20070131.stm' }));
  assert.ok(ismn.length >= 4, `${ismn.length} ISMN seeds`);
  await fuzz(tally, dir, ismn, (f) => readIsmn(f), false, caseCount(60), 12);
  tally.finish();
});

test('stations CSV rewritten without changing its content reads identically', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-fuzz-stations-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const read = async (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return readStationsCsv(join(dir, name));
  };
  const reference = await read('ref.csv', CSV);
  const rows = CSV.trim().split('\n').map((l) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, '')).slice(0, 7));
  const order = [6, 4, 0, 5, 2, 1, 3]; // flag,date,station,sm,lat,lon,depth_m
  const variants: Record<string, string> = {
    crlf: CSV.replace(/\n/g, '\r\n'),
    bom: '\uFEFF' + CSV,
    'no final newline': CSV.trimEnd(),
    'columns reordered': rows.map((r) => order.map((c) => r[c]).join(',')).join('\n') + '\n',
    'every field quoted': rows.map((r) => r.map((f) => (f.startsWith('"') ? f : `"${f}"`)).join(',')).join('\n') + '\n',
  };
  for (const [name, text] of Object.entries(variants)) {
    const s = await read(`${name.replace(/\W/g, '-')}.csv`, text);
    assert.deepEqual(s.stations, reference.stations, name);
    assert.deepEqual([...s.observations], [...reference.observations], name);
  }
});
