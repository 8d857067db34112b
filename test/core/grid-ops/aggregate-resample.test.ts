import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateSeries,
  aggregateToGrid,
  checkNesting,
  resampleSeries,
  resampleToGrid,
} from '../../../core/grid-ops/index.js';
import { createGrid, pixelCenter } from '../../../core/model/grid.js';
import { makeSeries } from '../../../core/model/series.js';
import { SoilscaleError } from '../../../core/errors.js';

const coarse = createGrid(4, 3, [1000, 1000, 0, 5000, 0, -1000], 'EPSG:32633');
// 10× finer, starting one coarse cell in and 5 fine pixels down: covers coarse cols 1..3, rows 0..2 partly.
const fine = createGrid(25, 22, [2000, 100, 0, 4500, 0, -100], 'EPSG:32633');

const isInputError = (pattern: RegExp) => (e: unknown) => e instanceof SoilscaleError && e.kind === 'input' && pattern.test(e.message);

test('checkNesting finds factors and offsets', () => {
  assert.deepEqual(checkNesting(coarse, fine), { factorX: 10, factorY: 10, offsetCol: 10, offsetRow: 5 });
  assert.deepEqual(checkNesting(coarse, coarse), { factorX: 1, factorY: 1, offsetCol: 0, offsetRow: 0 });
  const rect = createGrid(8, 6, [1000, 500, 0, 5000, 0, -250], 'EPSG:32633');
  assert.deepEqual(checkNesting(coarse, rect), { factorX: 2, factorY: 4, offsetCol: 0, offsetRow: 0 });
  // within the 1e-6 px tolerance
  const nearly = createGrid(10, 10, [1000 + 1e-5, 100, 0, 5000, 0, -100], 'EPSG:32633');
  assert.equal(checkNesting(coarse, nearly).offsetCol, 0);
});

test('checkNesting rejects grids that do not nest, saying what is off', () => {
  const cases: Array<[ReturnType<typeof createGrid>, RegExp]> = [
    [createGrid(10, 10, [1000, 100, 0, 5000, 0, -100], 'EPSG:32634'), /different CRS.*EPSG:32633 vs EPSG:32634/],
    [createGrid(10, 10, [1000, 300.5, 0, 5000, 0, -300.5], 'EPSG:32633'), /integer ratio/],
    [createGrid(10, 10, [1050, 100, 0, 5000, 0, -100], 'EPSG:32633'), /not aligned.*0\.5/],
    [createGrid(10, 10, [900, 100, 0, 5000, 0, -100], 'EPSG:32633'), /starts outside/],
    [createGrid(10, 10, [1000, 100, 0, 5000, 0, 100], 'EPSG:32633'), /rotated|north-up/],
    [createGrid(10, 10, [9000, 100, 0, 5000, 0, -100], 'EPSG:32633'), /do not overlap/],
    [createGrid(10, 10, [1000, 2000, 0, 5000, 0, -2000], 'EPSG:32633'), /integer ratio/],
  ];
  for (const [g, pattern] of cases) {
    assert.throws(() => checkNesting(coarse, g), isInputError(pattern));
    assert.throws(() => checkNesting(coarse, g), isInputError(/4×3 px of 1000×1000/), 'describes the coarse grid');
  }
});

test('aggregate mean uses valid pixels only and honours minValidFraction', () => {
  const v = new Float32Array(fine.width * fine.height);
  for (let r = 0; r < fine.height; r++) for (let c = 0; c < fine.width; c++) v[r * fine.width + c] = c + 100 * r;
  // Coarse (1, 0) holds fine rows 0..4 (5 rows inside the fine grid) × cols 0..9.
  const m = aggregateToGrid(v, fine, coarse);
  assert.ok(Number.isNaN(m[0]), 'coarse column 0 is not covered');
  assert.equal(m[1], 4.5 + 100 * 2); // mean of c = 0..9, r = 0..4
  assert.equal(m[2], 14.5 + 100 * 2);
  // Coarse (3, 0): fine cols 20..24 (5 inside the fine grid) × rows 0..4.
  assert.equal(m[3], 22 + 100 * 2);
  assert.equal(m[1 * 4 + 1], 4.5 + 100 * 9.5); // rows 5..14
  // Make 30 of the 50 pixels of coarse (1, 0) NaN: 40% valid < 50% → NaN; with 0.3 → mean of the rest.
  const holes = Float32Array.from(v);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 10; c++) holes[r * fine.width + c] = Number.NaN;
  assert.ok(Number.isNaN(aggregateToGrid(holes, fine, coarse)[1]));
  assert.equal(aggregateToGrid(holes, fine, coarse, { minValidFraction: 0.3 })[1], 4.5 + 100 * 3.5);
  assert.equal(aggregateToGrid(holes, fine, coarse, { method: 'valid-fraction' })[1], Math.fround(0.4));
  assert.equal(aggregateToGrid(holes, fine, coarse, { method: 'valid-fraction' })[2], 1);
  assert.ok(Number.isNaN(aggregateToGrid(holes, fine, coarse, { method: 'valid-fraction' })[0]));
});

test('aggregate sum, min, max', () => {
  const g = createGrid(4, 2, [0, 1, 0, 2, 0, -1], 'EPSG:3035');
  const c = createGrid(2, 1, [0, 2, 0, 2, 0, -2], 'EPSG:3035');
  const v = Float32Array.of(1, 2, 3, 4, 5, Number.NaN, 7, 8);
  assert.deepEqual([...aggregateToGrid(v, g, c, { method: 'sum' })], [8, 22]);
  assert.deepEqual([...aggregateToGrid(v, g, c, { method: 'min' })], [1, 3]);
  assert.deepEqual([...aggregateToGrid(v, g, c, { method: 'max' })], [5, 8]);
  assert.deepEqual([...aggregateToGrid(v, g, c, { method: 'mean' })], [Math.fround(8 / 3), 5.5]);
});

test('majority picks the most frequent class, ties go to the smallest', () => {
  const g = createGrid(6, 2, [0, 1, 0, 2, 0, -1], 'EPSG:3035');
  const c = createGrid(2, 1, [0, 3, 0, 2, 0, -3], 'EPSG:3035');
  // cell 0: 3,3,1,1,2,NaN → tie 1 vs 3 → 1 ; cell 1: 5,4,5,4,4,7 → 4
  const v = Float32Array.of(3, 3, 1, 5, 4, 5, 1, 2, Number.NaN, 4, 4, 7);
  assert.deepEqual([...aggregateToGrid(v, g, c, { method: 'majority' })], [1, 4]);
  const lc = makeSeries({ variable: 'landcover', grid: g, dates: [], values: [v], categorical: true });
  const agg = aggregateSeries(lc, c);
  assert.deepEqual([...agg.values[0]], [1, 4]);
  assert.equal(agg.categorical, true);
  assert.equal(agg.grid, c);
});

test('bilinear is exact on linear fields, including at the clamped edges of a constant gradient', () => {
  const src = createGrid(20, 15, [0, 10, 0, 150, 0, -10], 'EPSG:32633');
  const v = new Float32Array(300);
  const field = (x: number, y: number) => 3 + 0.5 * x - 0.25 * y;
  for (let r = 0; r < 15; r++) for (let c = 0; c < 20; c++) v[r * 20 + c] = field(...pixelCenter(src, c, r));
  // Target: 3 m pixels, offset, inside the source's pixel-centre hull.
  const dst = createGrid(40, 30, [7, 3, 0, 143, 0, -3], 'EPSG:32633');
  const out = resampleToGrid(v, src, dst, 'bilinear');
  for (let r = 0; r < 30; r++) {
    for (let c = 0; c < 40; c++) {
      const [x, y] = pixelCenter(dst, c, r);
      const inHull = x >= 5 && x <= 195 && y >= 5 && y <= 145;
      if (inHull) assert.ok(Math.abs(out[r * 40 + c] - field(x, y)) < 1e-4, `(${c}, ${r}): ${out[r * 40 + c]} vs ${field(x, y)}`);
    }
  }
});

test('bicubic reproduces a quadratic field in the interior; bilinear does not', () => {
  const src = createGrid(30, 30, [0, 1, 0, 30, 0, -1], 'EPSG:32633');
  const field = (x: number, y: number) => 0.02 * x * x - 0.01 * x * y + 0.03 * y * y + x;
  const v = new Float32Array(900);
  for (let r = 0; r < 30; r++) for (let c = 0; c < 30; c++) v[r * 30 + c] = field(...pixelCenter(src, c, r));
  const dst = createGrid(37, 37, [5.1, 0.53, 0, 24.9, 0, -0.53], 'EPSG:32633');
  const cubic = resampleToGrid(v, src, dst, 'bicubic');
  const linear = resampleToGrid(v, src, dst, 'bilinear');
  let maxCubic = 0;
  let maxLinear = 0;
  for (let r = 0; r < 37; r++) {
    for (let c = 0; c < 37; c++) {
      const f = field(...pixelCenter(dst, c, r));
      maxCubic = Math.max(maxCubic, Math.abs(cubic[r * 37 + c] - f));
      maxLinear = Math.max(maxLinear, Math.abs(linear[r * 37 + c] - f));
    }
  }
  assert.ok(maxCubic < 2e-3, `bicubic error ${maxCubic}`);
  assert.ok(maxLinear > 5e-3, `bilinear error ${maxLinear} should show curvature`);
});

test('nearest picks the containing source pixel; outside the source is NaN', () => {
  const src = createGrid(3, 2, [0, 10, 0, 20, 0, -10], 'EPSG:3035');
  const v = Float32Array.of(1, 2, 3, 4, 5, 6);
  const dst = createGrid(8, 5, [-5, 5, 0, 22.5, 0, -5], 'EPSG:3035');
  const out = resampleToGrid(v, src, dst, 'nearest');
  // target centres x = -2.5, 2.5, …, 32.5 ; y = 20, 15, 10, 5, 0
  const expectRow = (vals: number[]) => vals;
  const want = [
    ...expectRow([NaN, 1, 1, 2, 2, 3, 3, NaN]), // y = 20 is the top edge: inside
    ...expectRow([NaN, 1, 1, 2, 2, 3, 3, NaN]),
    ...expectRow([NaN, 4, 4, 5, 5, 6, 6, NaN]), // y = 10: boundary belongs to the lower row
    ...expectRow([NaN, 4, 4, 5, 5, 6, 6, NaN]),
    ...expectRow(Array(8).fill(NaN)), // y = 0: bottom edge, outside
  ];
  assert.deepEqual([...out].map((x) => (Number.isNaN(x) ? 'NaN' : x)), want.map((x) => (Number.isNaN(x) ? 'NaN' : x)));
});

test('bilinear and bicubic renormalise over valid neighbours', () => {
  const src = createGrid(2, 1, [0, 10, 0, 10, 0, -10], 'EPSG:3035');
  const v = Float32Array.of(4, Number.NaN);
  const dst = createGrid(4, 1, [0, 5, 0, 10, 0, -10], 'EPSG:3035');
  // every target pixel sees only the valid pixel 4 (or NaN pixel exactly at its centre)
  const lin = resampleToGrid(v, src, dst, 'bilinear');
  assert.deepEqual([...lin].slice(0, 3), [4, 4, 4]);
  const cub = resampleToGrid(v, src, dst, 'bicubic');
  assert.deepEqual([...cub].slice(0, 3), [4, 4, 4]);
  // all NaN → NaN
  const none = resampleToGrid(Float32Array.of(NaN, NaN), src, dst, 'bilinear');
  assert.ok(none.every(Number.isNaN));
});

test('resampling across CRSs is an input error; categorical series resample by nearest', () => {
  const a = createGrid(2, 2, [0, 1, 0, 2, 0, -1], 'EPSG:3035');
  const b = createGrid(2, 2, [0, 1, 0, 2, 0, -1], 'EPSG:32633');
  assert.throws(() => resampleToGrid(new Float32Array(4), a, b, 'nearest'), isInputError(/different CRS/));
  const lc = makeSeries({ variable: 'landcover', grid: a, dates: ['2024-01-01'], values: [Float32Array.of(1, 2, 3, 4)], categorical: true });
  const fine = createGrid(4, 4, [0, 0.5, 0, 2, 0, -0.5], 'EPSG:3035');
  const out = resampleSeries(lc, fine, 'bilinear');
  assert.deepEqual([...out.values[0]], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  assert.deepEqual(out.dates, ['2024-01-01']);
});
