import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compositeSeries,
  dayOfYear,
  daysBetween,
  formatDate,
  nearestDateIndex,
  parseDate,
  seasonOf,
} from '../../../core/grid-ops/index.js';
import { createGrid } from '../../../core/model/grid.js';
import { makeSeries } from '../../../core/model/series.js';
import { SoilscaleError } from '../../../core/errors.js';

test('parseDate / formatDate agree with the calendar', () => {
  assert.equal(parseDate('1970-01-01'), 0);
  assert.equal(parseDate('1969-12-31'), -1);
  assert.equal(parseDate('2000-03-01') - parseDate('2000-02-28'), 2); // 2000 is a leap year
  assert.equal(parseDate('1900-03-01') - parseDate('1900-02-28'), 1); // 1900 is not
  assert.equal(parseDate('2024-01-01'), 19723);
  for (const d of ['2024-02-29', '1999-12-31', '2030-07-15', '1960-01-01']) assert.equal(formatDate(parseDate(d)), d);
  for (let k = -800; k < 30000; k += 37) assert.equal(parseDate(formatDate(k)), k);
});

test('parseDate rejects malformed and impossible dates with an input error', () => {
  for (const bad of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-1-01', '20240101', '2024-06-01T00:00:00Z', '', 'June']) {
    assert.throws(() => parseDate(bad), (e: unknown) => e instanceof SoilscaleError && e.kind === 'input' && e.message.includes(JSON.stringify(bad)), bad);
  }
});

test('daysBetween, dayOfYear, seasonOf', () => {
  assert.equal(daysBetween('2024-01-01', '2024-12-31'), 365);
  assert.equal(daysBetween('2024-03-10', '2024-03-01'), -9);
  assert.equal(dayOfYear('2023-01-01'), 1);
  assert.equal(dayOfYear('2023-12-31'), 365);
  assert.equal(dayOfYear('2024-12-31'), 366);
  assert.equal(dayOfYear('2024-03-01'), 61);
  const months = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];
  assert.deepEqual(
    months.map((m) => seasonOf(`2024-${m}-15`)),
    ['DJF', 'DJF', 'MAM', 'MAM', 'MAM', 'JJA', 'JJA', 'JJA', 'SON', 'SON', 'SON', 'DJF'],
  );
});

test('nearestDateIndex: closest, earlier on ties, -1 beyond maxDays', () => {
  const dates = ['2024-06-01', '2024-06-09', '2024-06-17'];
  assert.equal(nearestDateIndex(dates, '2024-06-04'), 0);
  assert.equal(nearestDateIndex(dates, '2024-06-05'), 0); // 4 days each way
  assert.equal(nearestDateIndex(dates, '2024-06-06'), 1);
  assert.equal(nearestDateIndex(dates, '2025-01-01'), 2);
  assert.equal(nearestDateIndex(dates, '2024-06-13', 3), -1);
  assert.equal(nearestDateIndex(dates, '2024-06-12', 3), 1);
  assert.equal(nearestDateIndex([], '2024-06-12'), -1);
});

test('compositeSeries: periods, reducers and NaN handling', () => {
  const grid = createGrid(2, 1, [0, 1, 0, 1, 0, -1], 'EPSG:4326');
  const dates = ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-03', '2024-02-10'];
  const px0 = [1, 5, 2, 8, 4];
  const px1 = [Number.NaN, 3, Number.NaN, Number.NaN, Number.NaN];
  const s = makeSeries({ variable: 'ndvi', grid, dates, values: dates.map((_, i) => Float32Array.of(px0[i], px1[i])) });

  const monthly = compositeSeries(s, 'month', 'mean');
  assert.deepEqual(monthly.dates, ['2024-01-01', '2024-02-01']);
  assert.deepEqual([...monthly.values[0]], [3, 3]);
  assert.equal(monthly.values[1][0], Math.fround(14 / 3));
  assert.ok(Number.isNaN(monthly.values[1][1]));

  // 3-day periods from 2024-01-30: [30, 31, 1], [3], [10]
  const three = compositeSeries(s, { days: 3 }, 'max');
  assert.deepEqual(three.dates, ['2024-01-30', '2024-02-02', '2024-02-08']);
  assert.deepEqual([...three.values[0]], [5, 3]);
  assert.deepEqual([...three.values[1]].slice(0, 1), [8]);

  const median = compositeSeries(s, { days: 5 }, 'median'); // [30, 31, 1, 3], [10]
  assert.deepEqual(median.dates, ['2024-01-30', '2024-02-09']);
  assert.deepEqual([...median.values[0]], [3.5, 3]);
  const last = compositeSeries(s, { days: 5 }, 'last');
  assert.deepEqual([...last.values[0]], [8, 3]);
  assert.deepEqual(last.values[1][0], 4);

  const staticLayer = makeSeries({ variable: 'dem', grid, dates: [], values: [Float32Array.of(1, 2)] });
  assert.equal(compositeSeries(staticLayer, 'month', 'mean'), staticLayer);
  assert.throws(() => compositeSeries(s, { days: 0 }, 'mean'), SoilscaleError);
});
