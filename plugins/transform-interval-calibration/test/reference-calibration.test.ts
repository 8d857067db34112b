import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createGrid, createPluginContext, createRng, makeSeries, type Series } from '../../../core/index.js';
import { intervalCalibrationTransform, type IntervalCalibrationParams } from '../index.js';

// 8 × 8 coarse cells of 0.5° over 40 × 40 fine pixels of 0.1° (5 × 5 per cell), 12 dates. The product is
// 0.3 with an interval of half-width h(p) between 0.01 and 0.04 (its shape); the fine truth is
// 0.3 + h(p)·C·N(0, 1), independent across pixels: the normalised error is |N(0, C)| everywhere.
const C = 1.5;
const coarseGrid = createGrid(8, 8, [10, 0.5, 0, 50, 0, -0.5], 'EPSG:4326');
const grid = createGrid(40, 40, [10, 0.1, 0, 50, 0, -0.1], 'EPSG:4326');
const N = 1600;
const dates = Array.from({ length: 12 }, (_, t) => new Date(Date.UTC(2023, 5, 1 + t)).toISOString().slice(0, 10));
const half = Float32Array.from({ length: N }, (_, k) => 0.01 + 0.03 * ((k * 7) % 13) / 12);
const series = (f: (k: number, d: number) => number, g = grid, ds: readonly string[] = dates): Series =>
  makeSeries({ variable: 'sm', grid: g, dates: ds, values: ds.map((_, d) => Float32Array.from({ length: g.width * g.height }, (_, k) => f(k, d))) });
const product = series(() => 0.3);
const lower = series((k) => 0.3 - half[k]);
const upper = series((k) => 0.3 + half[k]);
const coarse = series(() => 0.3, coarseGrid);
const truth = (seed: number) => {
  const rng = createRng(seed);
  return series((k) => 0.3 + half[k] * C * rng.normal());
};
const cellOf = (k: number) => Math.floor(Math.floor(k / 40) / 5) * 8 + Math.floor((k % 40) / 5);

const params: IntervalCalibrationParams = { level: 0.9, minStations: 5, flags: ['G'], depthMax: 0.05, area: 'block', areaFraction: 0.25, seed: 5, unit: 'cell-date', minBlocks: 20 };
type Result = { lower: Series; upper: Series; area: Series; tables: Record<string, { rows: Record<string, number | string | null>[] }> };
async function calibrate(inputs: Record<string, unknown>, p: Partial<IntervalCalibrationParams> = {}): Promise<Result> {
  const t = await intervalCalibrationTransform.create({ ...params, ...p }, createPluginContext());
  return (await t.apply({ product, lower, upper, coarse, ...inputs } as never)) as unknown as Result;
}

test('reference calibration: on a contiguous block of 25 % of the cells, the interval covers the truth outside it at 0.90 within binomial bounds', async () => {
  const reference = truth(11);
  const r = await calibrate({ reference });
  const cal = r.tables.calibration.rows[0];
  // The area: one 4 × 4-cell rectangle (16 of 64 cells) = a 20 × 20-pixel square.
  const inArea = [...r.area.values[0].keys()].filter((k) => r.area.values[0][k] === 1);
  assert.equal(cal.areaCells, 16);
  assert.equal(inArea.length, 400);
  const rows = inArea.map((k) => Math.floor(k / 40));
  const cols = inArea.map((k) => k % 40);
  assert.equal((Math.max(...rows) - Math.min(...rows) + 1) * (Math.max(...cols) - Math.min(...cols) + 1), 400);
  // 16 cells × 12 dates = 192 blocks of 25 pixels; κ = quantile of |N(0, C)| at 0.9·(1 + 1/192) = 0.9047,
  // i.e. z at 0.9523 = 1.668·C (4800 scores: sd of that quantile ≈ 0.035·C).
  assert.equal(cal.units, 192);
  assert.equal(cal.pixels, 4800);
  const kappa = cal.scale as number;
  assert.ok(Math.abs(kappa - 1.668 * C) < 0.12 * C, `κ ${kappa}`);
  // Coverage of the truth outside the area, counted here from the written bounds: the calibration error
  // (4800 scores) and the test sample (14 400 pixels) give sd ≈ 0.005 about 0.9047; ± 3.5 sd.
  let inside = 0;
  let n = 0;
  for (let d = 0; d < dates.length; d++) {
    for (let k = 0; k < N; k++) {
      if (r.area.values[0][k] === 1) continue;
      n++;
      if (reference.values[d][k] >= r.lower.values[d][k] && reference.values[d][k] <= r.upper.values[d][k]) inside++;
    }
  }
  assert.equal(n, 14400);
  assert.ok(Math.abs(inside / n - 0.9047) < 0.0175, `held-out coverage ${inside / n}`);
  assert.ok(Math.abs((cal.heldOutCoverage as number) - inside / n) < 1e-3, `table ${cal.heldOutCoverage} vs counted ${inside / n}`);
  assert.ok(Math.abs(r.upper.values[3][57] - (0.3 + kappa * half[57])) < 1e-6 && Math.abs(r.lower.values[3][57] - (0.3 - kappa * half[57])) < 1e-6);
});

test('reference calibration: the area is the reference coverage by default, a seeded share of covered cells with random-cells', async () => {
  // A campaign over the western half (columns < 20), NaN elsewhere.
  const full = truth(12);
  const west = series((k, d) => (k % 40 < 20 ? full.values[d][k] : Number.NaN));
  const byCoverage = await calibrate({ reference: west }, { area: 'coverage' });
  assert.equal(byCoverage.tables.calibration.rows[0].areaCells, 32);
  assert.equal(byCoverage.tables.calibration.rows[0].heldOutPixels, 0);
  assert.equal(byCoverage.tables.calibration.rows[0].heldOutCoverage, null);
  const pick = async (seed: number) => {
    const r = await calibrate({ reference: west }, { area: 'random-cells', seed });
    return new Set([...r.area.values[0].keys()].filter((k) => r.area.values[0][k] === 1).map(cellOf));
  };
  const a = await pick(1);
  assert.equal(a.size, 8); // 25 % of the 32 covered cells
  for (const c of a) assert.ok(c % 8 < 4, `cell ${c} is outside the reference`);
  assert.deepEqual([...(await pick(1))], [...a]);
  assert.notDeepEqual([...(await pick(2))].sort(), [...a].sort());
});

test('reference calibration refuses a reference off the product’s grid or dates, too few pixels, no coarse grid, or both references', async () => {
  const reference = truth(13);
  await assert.rejects(calibrate({ reference: series(() => 0.3, createGrid(40, 40, [11, 0.1, 0, 50, 0, -0.1], 'EPSG:4326')) }), /reference is not on the product’s grid[\s\S]*expected the product grid 40×40 px of 0.1×0.1 at \(10, 50\)[\s\S]*found 40×40 px of 0.1×0.1 at \(11, 50\)/);
  await assert.rejects(calibrate({ reference: series(() => 0.3, grid, ['2024-01-01', '2024-01-02']) }), /no date in common[\s\S]*expected dates among the product's 2023-06-01 … 2023-06-12 \(12 dates\)[\s\S]*found 2024-01-01 … 2024-01-02 \(2 dates\)/);
  // One coarse cell (the top-left 5 × 5 pixels) on 12 dates = 12 blocks < 20.
  const oneCell = series((k, d) => (cellOf(k) === 0 ? reference.values[d][k] : Number.NaN));
  await assert.rejects(calibrate({ reference: oneCell }, { area: 'coverage' }), /too few reference pixels in the calibration area[\s\S]*at least 20 \(minBlocks\) coarse cell × date blocks[\s\S]*found 12 coarse cell × date blocks, 300 pixels/);
  await assert.rejects(calibrate({ reference: series(() => Number.NaN) }), /too few reference pixels[\s\S]*found 0 coarse cell × date blocks, 0 pixels/);
  // One unit per cell: 16 cells cannot give a 95 % quantile (needs 19).
  await assert.rejects(calibrate({ reference }, { unit: 'cell', level: 0.95, minBlocks: 2 }), /too few coarse cells for the interval level[\s\S]*at least 19[\s\S]*found 16/);
  await assert.rejects(calibrate({ reference, coarse: undefined }), /needs the coarse input[\s\S]*found none/);
  await assert.rejects(calibrate({ reference, stations: { kind: 'stations', stations: [], observations: new Map() } }), /not both/);
});
