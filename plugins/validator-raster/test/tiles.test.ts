/**
 * validator:raster through the engine's tile service (2 threads, tile records with summaries, tiles of
 * whole coarse cells): the tables are the same bits for any tiling — tiles that do not divide the grid,
 * one tile, one tile in the calling thread — and equal the whole-raster metrics (`pairedMetrics` on every
 * pair: moments to 1e-12, Spearman and KL exactly where every pair is ranked); a resumed run keeps the
 * finished tiles and gives the same tables.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { aggregateSeries, createGrid, createPluginContext, createRng, createWorkerPool, makeSeries, pairedMetrics, type Grid, type RecordTable, type Series } from '../../../core/index.js';
import { engineTiles } from '../../../test/support/engine-tiles.js';
import { rasterValidator, type RasterValidatorParams } from '../index.js';

const rng = createRng(7);
const crs = 'EPSG:32633';
const dates = ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-05'];
const series = (grid: Grid, ds: string[], f: (k: number, t: number) => number): Series =>
  makeSeries({ variable: 'sm', grid, dates: ds, values: ds.map((_, t) => Float32Array.from({ length: grid.width * grid.height }, (_, k) => f(k, t))) });

// 37 × 29 px, coarse cells of 4 × 4 (partial cells at the right and bottom), 5 % gaps in each input.
const fine = createGrid(37, 29, [600000, 100, 0, 5000000, 0, -100], crs);
const truth = series(fine, dates, () => (rng.next() < 0.05 ? NaN : 0.1 + 0.3 * rng.next()));
const product = series(fine, dates.slice(0, 3), (k, t) => (rng.next() < 0.05 ? NaN : truth.values[t][k] + 0.03 * rng.normal()));
const small = {
  product,
  reference: truth,
  coarse: aggregateSeries(truth, createGrid(10, 8, [600000, 400, 0, 5000000, 0, -400], crs), { method: 'mean', minValidFraction: 0.3 }),
  lower: series(fine, dates.slice(0, 3), (k, t) => product.values[t][k] - 0.04),
  upper: series(fine, dates.slice(0, 3), (k, t) => product.values[t][k] + 0.05),
};
// 170 × 130 px: > 20 000 pairs a date, so per-date rows rank a sample.
const bigGrid = createGrid(170, 130, [600000, 100, 0, 5000000, 0, -100], crs);
const bigTruth = series(bigGrid, dates, (k) => (rng.next() < 0.02 ? NaN : 0.1 + 0.2 * rng.next() + 0.1 * Math.sin(k / 500)));
const bigProduct = series(bigGrid, dates, (k, t) => (rng.next() < 0.02 ? NaN : bigTruth.values[t][k] + 0.02 * rng.normal()));
const big = {
  product: bigProduct,
  reference: bigTruth,
  coarse: aggregateSeries(bigTruth, createGrid(29, 22, [600000, 600, 0, 5000000, 0, -600], crs), { method: 'mean', minValidFraction: 0.3 }),
};

const dir = mkdtempSync(join(tmpdir(), 'soilscale-validator-tiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let stores = 0;

const params: RasterValidatorParams = { minValidFraction: 0.5, minPairs: 10 };
/** The tables on the engine's tiles of `tileSize` px (in `store`, default a new one), or (`oneTile`) one tile in this thread. */
async function validate(input: typeof big, tileSize: number, options: { oneTile?: boolean; store?: string; oneThread?: boolean } = {}) {
  const engine = engineTiles(options.store ?? join(dir, `tiles-${stores++}`), tileSize);
  const v = await rasterValidator.create(params, createPluginContext({ tiles: options.oneTile ? { run: engine.run } : engine, ...(options.oneThread ? { workers: createWorkerPool(1) } : {}) }));
  return { tables: (await v.validate(input)).tables, tilesRun: engine.tilesRun };
}
const concat = (s: Series, n = s.values.length) => Float32Array.from(s.values.slice(0, n).flatMap((a) => [...a]));

/** Each moment metric of `row` within 1e-12 (relative) of `want`; Spearman and KL exactly (`ranks`), or not compared. */
function assertMetrics(row: RecordTable['rows'][number], want: ReturnType<typeof pairedMetrics>, ranks: boolean, label: string): void {
  for (const [k, v] of Object.entries(want)) {
    if (!(k in row) || ['spearmanPValue'].includes(k)) continue;
    const got = row[k] as number | null;
    if (!Number.isFinite(v)) assert.equal(got, null, `${label} ${k}`);
    else if (k === 'spearman' || k === 'kl') (ranks ? assert.equal(got, v, `${label} ${k}`) : undefined);
    else assert.ok(Math.abs((got as number) - v) <= 1e-12 * Math.max(1, Math.abs(v)), `${label} ${k}: ${got} vs ${v}`);
  }
}

test('every pair ranked: any tiling gives the same tables, equal to the whole-raster metrics', async () => {
  const { tables: whole } = await validate(small, 1000);
  assertMetrics(whole.summary.rows[0], pairedMetrics(concat(small.product), concat(small.reference, 3)), true, 'summary');
  whole.perDate.rows.forEach((row, t) => assertMetrics(row, pairedMetrics(small.product.values[t], small.reference.values[t]), true, `${row.date}`));
  assert.deepEqual((await validate(small, 1000, { oneTile: true })).tables, whole, 'one tile in this thread');
  for (const size of [4, 9, 16]) {
    const { tables, tilesRun } = await validate(small, size);
    assert.ok(tilesRun > 2, `tiles of ${size}: ${tilesRun} tiles`);
    assert.deepEqual(tables, whole, `tiles of ${size}`);
  }
});

test('per-date rows rank a sample: the same sample whatever the tiling; pooled ranks every pair', async () => {
  const { tables: whole } = await validate(big, 1000);
  assertMetrics(whole.summary.rows[0], pairedMetrics(concat(big.product), concat(big.reference)), true, 'summary');
  whole.perDate.rows.forEach((row, t) => {
    const exact = pairedMetrics(big.product.values[t], big.reference.values[t]);
    assertMetrics(row, exact, false, `${row.date}`);
    assert.notEqual(row.spearman, exact.spearman, 'sampled');
    assert.ok(Math.abs((row.spearman as number) - exact.spearman) < 0.02, `${row.date} spearman ${row.spearman} vs ${exact.spearman}`);
  });
  for (const size of [30, 64, 131]) assert.deepEqual((await validate(big, size)).tables, whole, `tiles of ${size}`);
});

test('dates validated in groups side by side (2 threads): the tables of one group, for any tiling', async () => {
  // 17 dates: two groups of stages on 2 threads, one on 1 thread; > 20 000 pairs a date, so sampled per date.
  const many = Array.from({ length: 17 }, (_, d) => `2024-06-${String(d + 1).padStart(2, '0')}`);
  const grid = createGrid(160, 140, [600000, 100, 0, 5000000, 0, -100], crs);
  const truth17 = series(grid, many, (k, t) => (rng.next() < 0.03 ? NaN : 0.1 + 0.2 * rng.next() + 0.01 * t));
  const input = {
    product: series(grid, many, (k, t) => (rng.next() < 0.03 ? NaN : truth17.values[t][k] + 0.02 * rng.normal())),
    reference: truth17,
    coarse: aggregateSeries(truth17, createGrid(16, 14, [600000, 1000, 0, 5000000, 0, -1000], crs), { method: 'mean', minValidFraction: 0.3 }),
  };
  const store = join(dir, 'groups');
  const { tables: oneGroup } = await validate(input, 1000, { oneThread: true });
  const grouped = await validate(input, 1000, { store });
  assert.deepEqual(readdirSync(join(store, 'test')).sort(), ['centred.1of2', 'centred.2of2', 'totals.1of2', 'totals.2of2']);
  assert.deepEqual(grouped.tables, oneGroup);
  assert.deepEqual((await validate(input, 40)).tables, oneGroup, 'tiles of 40, two groups');
  assert.equal(oneGroup.perDate.rows.length, 17);
  const last = pairedMetrics(input.product.values[16], input.reference.values[16]);
  assert.notEqual(oneGroup.perDate.rows[16].spearman, last.spearman, 'the second group\'s dates rank a sample');
  assert.ok(Math.abs((oneGroup.perDate.rows[16].spearman as number) - last.spearman) < 0.02);
  assertMetrics(oneGroup.summary.rows[0], pairedMetrics(concat(input.product), concat(input.reference)), true, 'summary');
});

test('a finer reference: each tile block-averages its window, as aggregating the whole reference first', async () => {
  const finer = createGrid(74, 58, [600000, 50, 0, 5000000, 0, -50], crs);
  const fineTruth = series(finer, dates, () => (rng.next() < 0.1 ? NaN : 0.1 + 0.3 * rng.next()));
  const input = { product: small.product, reference: fineTruth, coarse: small.coarse };
  const { tables: aggregatedFirst } = await validate({ ...input, reference: aggregateSeries(fineTruth, fine, { method: 'mean', minValidFraction: 0.5 }) }, 1000);
  for (const size of [4, 9, 1000]) assert.deepEqual((await validate(input, size)).tables, aggregatedFirst, `tiles of ${size}`);
});

test('a resumed validation keeps its finished tiles and gives the same tables', async () => {
  const store = join(dir, 'resume');
  const first = await validate(small, 9, { store });
  assert.ok(first.tilesRun > 4);
  const again = await validate(small, 9, { store });
  assert.equal(again.tilesRun, 0, 'every tile kept');
  assert.deepEqual(again.tables, first.tables);
  // One tile of each stage lost (as if interrupted): only those two run again.
  for (const stage of readdirSync(join(store, 'test'))) rmSync(join(store, 'test', stage, 'done', '0.json'));
  const resumed = await validate(small, 9, { store });
  assert.equal(resumed.tilesRun, 2);
  assert.deepEqual(resumed.tables, first.tables);
});
