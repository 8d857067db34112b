import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, dateFeatureValues, dayOfYearOf, featureLayout, makeSeries, tableFromSeries } from '../../../core/index.js';

const grid = createGrid(2, 2, [0, 1, 0, 2, 0, -1], 'EPSG:4326');
const dates = ['2024-01-01', '2024-01-02', '2024-01-03'];
const temporal = makeSeries({ variable: 'lst', grid, dates, values: dates.map((_, d) => Float32Array.from([0, 1, 2, 3], (p) => 10 * d + p)) });
const stat = makeSeries({ variable: 'dem', grid, dates: [], values: [Float32Array.of(100, 200, Number.NaN, 400)] });
const target = makeSeries({ variable: 'sm', grid, dates, values: dates.map((_, d) => Float32Array.from([0, 1, 2, 3], (p) => (d === 1 && p === 0 ? Number.NaN : d + p / 10))) });

test('date features: doy is periodic, seasons are one-hot', () => {
  assert.equal(dayOfYearOf('2024-03-01'), 61); // leap year
  const [s, c] = dateFeatureValues('2024-01-01', 'doy');
  assert.ok(Math.abs(s) < 1e-12 && Math.abs(c - 1) < 1e-12);
  const [s2] = dateFeatureValues('2023-04-02', 'doy'); // day 92 of 365 → angle ≈ π/2
  assert.ok(Math.abs(s2 - Math.sin((2 * Math.PI * 91) / 365)) < 1e-12);
  assert.deepEqual(dateFeatureValues('2024-12-31', 'season'), [1, 0, 0, 0]);
  assert.deepEqual(dateFeatureValues('2024-07-15', 'season'), [0, 0, 1, 0]);
});

test('rows are pixels × dates, incomplete rows dropped, index kept', () => {
  const t = tableFromSeries({ features: { lst: temporal, dem: stat }, target, dateFeatures: 'season', groupOf: (p) => p % 2 });
  // 3 dates × 4 pixels − pixel 2 (dem NaN) on 3 dates − the NaN target on date 1 pixel 0
  assert.equal(t.rows, 8);
  assert.deepEqual(t.columns, ['lst', 'dem', 'season_djf', 'season_mam', 'season_jja', 'season_son']);
  const r = Array.from(t.index!.date!).findIndex((d, i) => d === 2 && t.index!.pixel![i] === 3);
  assert.deepEqual(Array.from(t.x.subarray(r * 6, r * 6 + 6)), [23, 400, 1, 0, 0, 0]);
  assert.ok(Math.abs(t.y![r] - 2.3) < 1e-6);
  assert.equal(t.index!.group![r], 1);
});

test('sequence layout: step s of date i uses date max(0, i−L+1+s), oldest first', () => {
  const t = tableFromSeries({ features: { lst: temporal }, target, steps: 2, pixels: [1] });
  assert.deepEqual(t.columns, featureLayout(['lst'], 'none', 2).columns);
  assert.deepEqual(t.columns, ['lst[t-1]', 'lst[t-0]']);
  assert.deepEqual(t.layout, { steps: 2, features: ['lst'] });
  assert.deepEqual(Array.from(t.x), [1, 1, 1, 11, 11, 21]);
});

test('a temporal feature missing a row date is an input error naming the series', () => {
  const short = makeSeries({ variable: 'lst', grid, dates: dates.slice(0, 2), values: temporal.values.slice(0, 2) });
  assert.throws(() => tableFromSeries({ features: { lst: short }, target }), /features\.lst\.dates/);
});
