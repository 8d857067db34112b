import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIsmn, readStationsCsv, writeStationsCsv } from '../../../core/stations/index.js';
import { SoilscaleError } from '../../../core/errors.js';
import { sharedPath } from '../../support/shared-data.js';

const ISMN = sharedPath('data', 'real', 'ismn-tuwgeo', 'tests', 'test_data');

function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-stations-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const CSV = [
  'station,lon,lat,depth_m,date,sm,flag',
  'B2,10.5,45.25,0.05,2024-06-03,0.31,G',
  '"A, north",11,46,0.1,2024-06-02,0.2,D05',
  'B2,10.5,45.25,0.05,2024-06-01,0.29,G',
  'B2,10.5,45.25,0.05,2024-06-02,,G',
  '"A, north",11,46,0.1,2024-06-01,NaN,',
  '',
].join('\n');

test('readStationsCsv keeps first-appearance order, sorts dates, reads missing values and flags', async () => {
  await withTemp(async (dir) => {
    const path = join(dir, 'stations.csv');
    writeFileSync(path, CSV);
    const s = await readStationsCsv(path);
    assert.deepEqual(s.stations, [
      { id: 'B2', lon: 10.5, lat: 45.25, depth: 0.05 },
      { id: 'A, north', lon: 11, lat: 46, depth: 0.1 },
    ]);
    const b2 = s.observations.get('B2')!;
    assert.deepEqual(b2.dates, ['2024-06-01', '2024-06-02', '2024-06-03']);
    assert.equal(b2.values[0], Math.fround(0.29));
    assert.ok(Number.isNaN(b2.values[1]));
    assert.equal(b2.values[2], Math.fround(0.31));
    assert.deepEqual(b2.flags, ['G', 'G', 'G']);
    const a = s.observations.get('A, north')!;
    assert.deepEqual(a.dates, ['2024-06-01', '2024-06-02']);
    assert.deepEqual(a.flags, ['', 'D05']);
    assert.equal(s.source, path);

    // Round trip through the writer.
    const out = join(dir, 'out', 'copy.csv');
    await writeStationsCsv(out, s);
    const back = await readStationsCsv(out);
    assert.deepEqual(back.stations, s.stations);
    for (const st of s.stations) {
      const x = s.observations.get(st.id)!;
      const y = back.observations.get(st.id)!;
      assert.deepEqual(y.dates, x.dates);
      assert.deepEqual([...y.values], [...x.values]);
      assert.deepEqual(y.flags, x.flags);
    }
    assert.match(readFileSync(out, 'utf8'), /^station,lon,lat,depth_m,date,sm,flag\nB2,10\.5,45\.25,0\.05,2024-06-01,0\.29,G\n/);
  });
});

test('bad rows are input errors with file, line, column, expected and found', async () => {
  const header = 'station,lon,lat,depth_m,date,sm';
  const cases: Array<[string, RegExp]> = [
    [`${header}\nS1,10,45,0.05,2024-06-31,0.2`, /line 2, column date: .*expected a date YYYY-MM-DD, found "2024-06-31"/],
    [`${header}\nS1,10,45,0.05,2024-06-01,0.2\nS1,200,45,0.05,2024-06-02,0.2`, /line 3, column lon: .*found "200"/],
    [`${header}\nS1,10,45,0.05,2024-06-01,abc`, /line 2, column sm: .*found "abc"/],
    [`${header}\nS1,10,45,0.05,2024-06-01,35`, /line 2, column sm/],
    [`${header}\nS1,10,45,0.05,2024-06-01,0.2\nS1,10,45,0.10,2024-06-02,0.2`, /line 3, column depth_m: .*distinct id per sensor/],
    [`${header}\nS1,10,45`, /line 2, column \(row\)/],
    [`station,lon,lat,date,sm\nS1,10,45,2024-06-01,0.2`, /line 1: stations CSV header lacks depth_m/],
    [`${header}\nS1,10,45,0.05,2024-06-01,0.2\nS1,10,45,0.05,2024-06-01,0.3`, /station S1: duplicate observation/],
  ];
  await withTemp(async (dir) => {
    for (const [i, [text, pattern]] of cases.entries()) {
      const path = join(dir, `bad${i}.csv`);
      writeFileSync(path, text);
      await assert.rejects(readStationsCsv(path), (e: unknown) => {
        assert.ok(e instanceof SoilscaleError && e.kind === 'input', String(e));
        assert.ok(e.message.startsWith(path), e.message);
        assert.match(e.message, pattern);
        return true;
      });
    }
    await assert.rejects(readStationsCsv(join(dir, 'absent.csv')), (e: unknown) => e instanceof SoilscaleError && /absent\.csv.*ENOENT/.test(e.message));
  });
});

test('readIsmn reads both ISMN layouts identically (CR-only line ends) as daily means with flags', async () => {
  const header = await readIsmn(join(ISMN, 'format_header_values'));
  const ceop = await readIsmn(join(ISMN, 'format_ceop_sep'));
  for (const s of [header, ceop]) {
    assert.deepEqual(s.stations, [{ id: 'SMOSMANIA/Narbonne', lon: 2.9567, lat: 43.15, depth: 0.05 }]);
    const o = s.observations.get('SMOSMANIA/Narbonne')!;
    assert.equal(o.dates.length, 31);
    assert.equal(o.dates[0], '2007-01-01');
    assert.equal(o.dates[30], '2007-01-31');
    // Means of the hourly records, computed independently (python) from the file.
    assert.ok(Math.abs(o.values[0] - 0.2136565217391305) < 1e-6); // 23 records (no 00:00 on day 1)
    assert.ok(Math.abs(o.values[1] - 0.20911249999999995) < 1e-6);
    assert.ok(Math.abs(o.values[30] - 0.152925) < 1e-6);
    assert.ok(Math.abs(o.values[15] - 0.1687791666666667) < 1e-6);
    assert.equal(o.flags![0], 'U');
    assert.equal(o.flags![15], 'U,D05'); // 2007-01-16 mixes U and D05 records
  }
  assert.deepEqual([...header.observations.get('SMOSMANIA/Narbonne')!.values], [...ceop.observations.get('SMOSMANIA/Narbonne')!.values]);
});

test('readIsmn on COSMOS files: depth, hourly → daily, good-only option', async () => {
  const file = join(ISMN, 'Data_seperate_files_header_20170810_20180809', 'COSMOS', 'ARM-1', 'COSMOS_COSMOS_ARM-1_sm_0.000000_0.190000_Cosmic-ray-Probe_20170810_20180809.stm');
  const all = await readIsmn(file);
  assert.deepEqual(all.stations, [{ id: 'COSMOS/ARM-1', lon: -97.4878, lat: 36.6054, depth: 0 }]);
  const o = all.observations.get('COSMOS/ARM-1')!;
  assert.equal(o.dates.length, 335);
  assert.equal(o.dates[0], '2017-08-10');
  assert.equal(o.dates[o.dates.length - 1], '2018-08-09');
  assert.ok(Math.abs(o.values[0] - 0.2127916666666667) < 1e-6);
  assert.equal(o.flags![0], 'G');
  const i28 = o.dates.indexOf('2017-08-28');
  assert.equal(o.flags![i28], 'D05');
  const good = (await readIsmn(file, { records: 'good' })).observations.get('COSMOS/ARM-1')!;
  assert.ok(good.flags!.every((f) => f === 'G'));
  const g28 = good.dates.indexOf('2017-08-28');
  assert.ok(g28 >= 0 && good.values[g28] !== o.values[i28], 'good-only mean differs on a mixed day');

  const folder = await readIsmn(join(ISMN, 'Data_seperate_files_20170810_20180809'));
  assert.deepEqual(folder.stations.map((s) => s.id), ['COSMOS/ARM-1', 'COSMOS/Barrow-ARM']);
  assert.deepEqual([...folder.observations.get('COSMOS/ARM-1')!.values], [...o.values], 'CEOP layout = header layout');
  assert.equal(folder.stations[1].lat, 71.3298);
});

test('readIsmn errors name the path', async () => {
  await assert.rejects(readIsmn(join(ISMN, 'no-such-folder')), (e: unknown) => e instanceof SoilscaleError && /no-such-folder/.test(e.message));
  await withTemp(async (dir) => {
    await assert.rejects(readIsmn(dir), (e: unknown) => e instanceof SoilscaleError && /no ISMN soil-moisture files/.test(e.message));
    const bad = join(dir, 'X_N_S_sm_0.05_0.05_P_20200101_20200102.stm');
    writeFileSync(bad, 'N N S 43.1 2.9 10 0.05 0.05 P\n2020/01/01 00:00 abc G M\n');
    await assert.rejects(readIsmn(bad), (e: unknown) => e instanceof SoilscaleError && /line 2, value/.test(e.message));
  });
});
