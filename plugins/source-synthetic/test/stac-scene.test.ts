import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { createPluginContext, createMemoryLogger, readStacScene, splitAssetKey } from '../../../core/index.js';
import { syntheticSource, writeSyntheticScene } from '../index.js';
import { ensureScene } from '../src/ensure-scene.js';

const SMALL = { days: 14, start: '2023-06-01', coarseCells: [3, 2] as [number, number], coarseFactor: 4, fineFactor: 6, stations: 15, seed: 11 };

function checksums(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

test('the scene is byte-for-byte reproducible from its seed, and another seed changes it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'soilscale-synthetic-test-'));
  await writeSyntheticScene(SMALL, join(root, 'a'));
  await writeSyntheticScene(SMALL, join(root, 'b'));
  await writeSyntheticScene({ ...SMALL, seed: 12 }, join(root, 'c'));
  const a = checksums(join(root, 'a'));
  const b = checksums(join(root, 'b'));
  const c = checksums(join(root, 'c'));
  assert.ok(a.size > 14 * 8, `${a.size} files`);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [file, sum] of a) assert.equal(b.get(file), sum, file);
  assert.notEqual(c.get('data/sm_truth_1km/2023-06-05.tif'), a.get('data/sm_truth_1km/2023-06-05.tif'));
});

test('the STAC reader sees every asset on its grid, categorical land cover, and the stations', async () => {
  const root = mkdtempSync(join(tmpdir(), 'soilscale-synthetic-test-'));
  const { catalogPath } = await writeSyntheticScene(SMALL, join(root, 'scene'));
  const catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));
  assert.equal(catalog.type, 'Collection');
  assert.equal(catalog.license, 'CC0-1.0');
  assert.equal(catalog.assets.stations.type, 'text/csv');
  const scene = await readStacScene(catalogPath);
  const keys = scene.assets().map((a) => a.key);
  for (const k of ['ndvi_1km', 'lst_1km', 'precip_1km', 'et_1km', 'albedo_1km', 'dem_1km', 'slope_1km', 'aspect_1km', 'twi_1km', 'sand_1km', 'silt_1km', 'clay_1km', 'landcover_1km', 'sm_coarse', 'sigma0_vv_30m', 'incidence_30m', 'ndvi_30m', 'red_30m', 'nir_30m', 'dem_30m', 'landcover_30m', 'sm_truth_1km', 'sm_truth_30m']) {
    assert.ok(keys.includes(k), `asset ${k}`);
  }
  const coarse = scene.info('sm_coarse');
  const km = scene.info('sm_truth_1km');
  const fine = scene.info('sm_truth_30m');
  assert.equal(coarse.grid.width * 4, km.grid.width);
  assert.equal(km.grid.transform[1], 6 * 30);
  assert.equal(fine.grid.width, 4 * 6, 'one coarse cell of 30 m pixels');
  assert.equal(km.dates.length, 14);
  assert.equal(scene.info('landcover_1km').categorical, true);
  assert.equal(scene.info('dem_1km').dates.length, 0);
  assert.equal(splitAssetKey('sigma0_vv_30m').variable, 'sigma0_vv');
  const lst = await scene.load('lst_1km', { dates: ['2023-06-03'] });
  assert.equal(lst.values[0].length, km.grid.width * km.grid.height);
  const lc = await scene.load('landcover_1km');
  assert.ok([...lc.values[0]].every((v) => [4, 7, 10, 12].includes(v)));
  const stations = await scene.stations();
  assert.ok(stations && stations.stations.length === 15);
  const s0 = stations.stations[0];
  assert.ok(s0.lon > -101 && s0.lon < -99 && s0.lat > 36 && s0.lat < 37.5, `${s0.lon}, ${s0.lat}`);
});

test('source:synthetic generates once into its cache folder and reuses it', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'soilscale-synthetic-test-')), 'cache');
  const logger = createMemoryLogger();
  const first = await ensureScene({ ...SMALL, cacheDir: dir }, logger);
  const mtime = statSync(first).mtimeMs;
  const second = await ensureScene({ ...SMALL, cacheDir: dir }, logger);
  assert.equal(second, first);
  assert.equal(statSync(second).mtimeMs, mtime, 'not regenerated');
  assert.equal(logger.lines.filter((l) => l.includes('generating')).length, 1);
  const source = await syntheticSource.create({ ...SMALL, cacheDir: dir }, createPluginContext({ logger }));
  const scene = await source.load();
  assert.ok(scene.kind === 'scene' && scene.has('sm_coarse'));
  assert.equal(logger.lines.filter((l) => l.includes('generating')).length, 1);
});

test('a scene of 1–4 days has every dated asset (the SAR and optical dates fall back to the last day) and is written', async () => {
  const root = mkdtempSync(join(tmpdir(), 'soilscale-synthetic-short-'));
  for (const days of [1, 2, 4]) {
    const { catalogPath } = await writeSyntheticScene({ ...SMALL, days }, join(root, String(days)));
    const scene = await readStacScene(catalogPath);
    for (const key of ['sigma0_vv_30m', 'incidence_30m', 'ndvi_30m', 'red_30m', 'nir_30m', 'lst_1km', 'sm_truth_30m']) {
      const series = await scene.load(key);
      assert.ok(series.dates.length >= 1 && series.values.length === series.dates.length, `${days} days: ${key} has ${series.dates.length} dates`);
    }
    const last = new Date(Date.parse(`${SMALL.start}T00:00:00Z`) + (days - 1) * 86400000).toISOString().slice(0, 10);
    assert.deepEqual((await scene.load('sigma0_vv_30m')).dates, days < 3 ? [last] : ['2023-06-03']);
    assert.deepEqual((await scene.load('ndvi_30m')).dates, [last]);
  }
});
