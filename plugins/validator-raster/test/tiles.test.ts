/**
 * validator:raster through tiles (of whole coarse cells) on the engine's tile service (2 threads,
 * summaries kept in the tile records): the tables of any tiling, tiles that do not divide the grid
 * included, are the whole-raster tables (and those of one tile in the calling thread). Where every pair enters the metrics (≤ 20 000
 * per date, ≤ 1 M pooled) they are the same bytes, and the bytes of the code before tiling (sha256
 * captured from commit 24fc385); where per-date rows subsample, Spearman/KL rank the same pairs and
 * the moment metrics, summed per tile, agree to 1e-10 relative.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { aggregateSeries, createGrid, createPluginContext, createRng, makeSeries, type Grid, type RecordTable, type Series } from '../../../core/index.js';
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
// 170 × 130 px: > 20 000 pairs a date, so per-date rows rank every second pair.
const bigGrid = createGrid(170, 130, [600000, 100, 0, 5000000, 0, -100], crs);
const bigTruth = series(bigGrid, dates, (k) => (rng.next() < 0.02 ? NaN : 0.1 + 0.2 * rng.next() + 0.1 * Math.sin(k / 500)));
const bigProduct = series(bigGrid, dates, (k, t) => (rng.next() < 0.02 ? NaN : bigTruth.values[t][k] + 0.02 * rng.normal()));
const big = {
  product: bigProduct,
  reference: bigTruth,
  coarse: aggregateSeries(bigTruth, createGrid(29, 22, [600000, 600, 0, 5000000, 0, -600], crs), { method: 'mean', minValidFraction: 0.3 }),
  lower: series(bigGrid, dates, (k, t) => bigProduct.values[t][k] - 0.03),
  upper: series(bigGrid, dates, (k, t) => bigProduct.values[t][k] + 0.03),
};

const dir = mkdtempSync(join(tmpdir(), 'soilscale-validator-tiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let stores = 0;

const params: RasterValidatorParams = { minValidFraction: 0.5, minPairs: 10 };
/** The tables on the engine's tiles of `tileSize` px, or (`oneTile`) on a service without `runWithSummaries`: one tile in this thread. */
async function validate(input: typeof small, tileSize: number, oneTile = false): Promise<Record<string, RecordTable>> {
  const engine = engineTiles(join(dir, `tiles-${stores++}`), tileSize);
  const v = await rasterValidator.create(params, createPluginContext({ tiles: oneTile ? { run: engine.run } : engine }));
  return (await v.validate(input)).tables;
}
const sha = (t: RecordTable) => createHash('sha256').update(JSON.stringify(t.rows, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).digest('hex').slice(0, 16);
const shas = (tables: Record<string, RecordTable>) => Object.fromEntries(Object.entries(tables).map(([k, t]) => [k, sha(t)]));

test("every pair used: any tiling gives today's tables, byte for byte", async () => {
  const whole = await validate(small, 1000);
  assert.deepEqual(shas(whole), { summary: 'c124f396f0e16add', perDate: '4f1391b8aeedd7c5', subgrid: 'e03fbfb00c81b8d2', intervals: '4b7a7fafff30a4fe', consistency: 'cfe58988b36371eb' });
  assert.deepEqual(shas(await validate(small, 1000, true)), shas(whole), 'one tile in this thread');
  for (const size of [4, 9, 16]) assert.deepEqual(shas(await validate(small, size)), shas(whole), `tiles of ${size}`);
});

test('subsampled per-date rows: the same ranks, moments summed per tile within 1e-10; everything else byte for byte', async () => {
  const whole = await validate(big, 1000);
  assert.deepEqual(shas(whole), { summary: '553a6525bb224b26', perDate: '5d0226d1e33cc8ff', subgrid: '375ed1b09867d8ff', intervals: 'a2bea14cb1c48aec', consistency: '7e3ef03bf2a9ad32' });
  for (const size of [30, 64]) {
    const tiled = await validate(big, size);
    for (const name of ['summary', 'subgrid', 'intervals', 'consistency']) assert.equal(sha(tiled[name]), sha(whole[name]), `${name}, tiles of ${size}`);
    tiled.perDate.rows.forEach((row, i) => {
      const want = whole.perDate.rows[i];
      for (const [k, v] of Object.entries(want)) {
        if (typeof v !== 'number' || ['n', 'spearman', 'spearmanPValue', 'kl'].includes(k)) assert.equal(row[k], v, `${want.date} ${k}`);
        else assert.ok(Math.abs((row[k] as number) - v) <= 1e-10 * Math.abs(v), `${want.date} ${k}: ${row[k]} vs ${v}`);
      }
    });
  }
});
