import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGrid, makeSeries } from '../../../core/index.js';
import { createAligner, type AlignmentOptions } from '../src/predictor-alignment.js';

const grid = createGrid(3, 1, [0, 1, 0, 1, 0, -1], 'EPSG:32633');
const opts: AlignmentOptions = { gapFill: 'interpolate', maxGapDays: 16, climatologyWindowDays: 15, dateToleranceDays: 4 };
// An 8-day product: value = day offset from 2024-01-01 at pixel 0, pixel 1 cloudy on the 9th, pixel 2 always cloudy.
const dates = ['2024-01-01', '2024-01-09', '2024-01-17'];
const series = makeSeries({
  variable: 'lst',
  grid,
  dates,
  values: [Float32Array.of(0, 100, Number.NaN), Float32Array.of(8, Number.NaN, Number.NaN), Float32Array.of(16, 116, Number.NaN)],
});

test('interpolate: linear in time between the neighbouring observations; all-NaN pixels stay NaN', () => {
  const a = createAligner(series, opts)('2024-01-09');
  assert.equal(a.source, '2024-01-09');
  assert.deepEqual(Array.from(a.values.subarray(0, 2)), [8, 108]);
  assert.ok(Number.isNaN(a.values[2]));
  assert.ok(Math.abs(a.validBefore - 1 / 3) < 1e-12 && Math.abs(a.validAfter - 2 / 3) < 1e-12);
});

test('a daily date between 8-day composites uses the nearest within tolerance, then fills from neighbours', () => {
  const a = createAligner(series, opts)('2024-01-11'); // nearest composite: 01-09 (2 days)
  assert.equal(a.source, '2024-01-09');
  assert.equal(a.values[0], 8);
  assert.ok(Math.abs(a.values[1] - (100 + (16 * 10) / 16)) < 1e-4); // 01-01 → 01-17 at day 10
  const far = createAligner(series, { ...opts, dateToleranceDays: 1 })('2024-01-13'); // no composite within 1 day
  assert.equal(far.source, 'none');
  assert.equal(far.validBefore, 0);
  assert.ok(Math.abs(far.values[0] - 12) < 1e-6); // interpolated between 01-09 (8) and 01-17 (16)
});

test('maxGapDays limits interpolation; gapFill none leaves gaps', () => {
  const short = createAligner(series, { ...opts, maxGapDays: 4 })('2024-01-09');
  assert.ok(Number.isNaN(short.values[1]));
  const none = createAligner(series, { ...opts, gapFill: 'none' })('2024-01-09');
  assert.ok(Number.isNaN(none.values[1]) && none.validAfter === none.validBefore);
});

test('climatology: mean of the observations within the day-of-year window, any year', () => {
  const years = makeSeries({
    variable: 'ndvi',
    grid,
    dates: ['2022-06-10', '2022-12-01', '2023-06-20', '2024-06-15'],
    values: [Float32Array.of(0.2, 0, 0), Float32Array.of(0.9, 0, 0), Float32Array.of(0.4, 0, 0), Float32Array.of(Number.NaN, 0, 0)],
  });
  const a = createAligner(years, { ...opts, gapFill: 'climatology' })('2024-06-15');
  assert.ok(Math.abs(a.values[0] - 0.3) < 1e-6); // (0.2 + 0.4)/2; December is outside ±15 days
});
