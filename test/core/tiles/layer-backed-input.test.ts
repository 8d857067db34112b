import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createGrid, createWorkerPool, rasterFromBands, sceneOnTargetGrid, writeGeoTiff, type Grid, type Series } from '../../../core/index.js';
import { readStacScene } from '../../../core/stac/index.js';
import { seriesLayersOf } from '../../../core/model/series.js';
import { checkInputAsset } from '../../../core/pipeline/product-checks.js';
import { createLocalExecutor, createTileService, readStage, stagePluginsTileTask, storePaths } from '../../../core/tiles/index.js';
import { checkInterruptedRasterInputs } from '../../../core/tiles/raster-identity.js';
import { boxMeanReference, boxMeanTask } from '../../support/tile-fixture.js';

/**
 * Scale-out phase 2 (docs/scale-out.md, Memory): a STAC scene's local GeoTIFF layers come as layer-backed
 * series, which a tile stage reads by window (never loaded, never spilled) and any other reader whole,
 * with the same decoding (nodata, scale/offset) either way.
 */

const GDAL_TRANSLATE = '/usr/bin/gdal_translate';
const skip = !existsSync(GDAL_TRANSLATE) && 'gdal_translate (Debian gdal-bin) is not installed';

const root = mkdtempSync(join(tmpdir(), 'soilscale-layer-input-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const grid = createGrid(512, 512, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
const DATES = ['2024-06-01', '2024-06-02'];
const SCALE = 0.001;
const OFFSET = 0.05;
const NODATA = -9999;

/** Stored int16 counts of `a` on date `d` (NODATA at every 7th pixel). */
function counts(d: number): Int16Array {
  return Int16Array.from({ length: grid.width * grid.height }, (_, i) => (i % 7 === 3 ? NODATA : ((i * 37 + d * 911) % 2000) - 300));
}

/** What the file means, decoded here without the reader: nodata → NaN, count × scale + offset in float32. */
function physical(d: number): Float32Array {
  return Float32Array.from(counts(d), (c) => (c === NODATA ? Number.NaN : c * SCALE + OFFSET));
}

function gdalTranslate(args: string[]): void {
  const r = spawnSync(GDAL_TRANSLATE, ['-q', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gdal_translate ${args.join(' ')}: ${r.stderr}`);
}

/**
 * A scene of `a` (int16 with GDAL nodata, scale and offset: date 1 tiled 16 px and deflated, date 2 in
 * strips of 5 rows) and a static float32 COG `b`, as a STAC ItemCollection.
 */
async function writeScene(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const features: unknown[] = [];
  for (const [d, date] of DATES.entries()) {
    const raw = join(dir, `raw_${d}.tif`);
    await writeGeoTiff(raw, rasterFromBands(grid, [Float32Array.from(counts(d), (c) => (c === NODATA ? Number.NaN : c))]), { dataType: 'int16', nodata: NODATA, overviews: false });
    const layout = d === 0 ? ['-co', 'TILED=YES', '-co', 'BLOCKXSIZE=16', '-co', 'BLOCKYSIZE=16', '-co', 'COMPRESS=DEFLATE'] : ['-co', 'TILED=NO', '-co', 'BLOCKYSIZE=5'];
    gdalTranslate(['-a_scale', String(SCALE), '-a_offset', String(OFFSET), ...layout, raw, join(dir, `a_${d}.tif`)]);
    features.push({ type: 'Feature', stac_version: '1.0.0', id: date, properties: { datetime: `${date}T00:00:00Z` }, assets: { a_30m: { href: `a_${d}.tif`, type: 'image/tiff' } }, links: [] });
  }
  await writeGeoTiff(join(dir, 'b.tif'), rasterFromBands(grid, [Float32Array.from({ length: grid.width * grid.height }, (_, i) => (i === 5 ? Number.NaN : i / 100))]), { tileSize: 16 });
  features.push({ type: 'Feature', stac_version: '1.0.0', id: 'static', properties: { datetime: null }, assets: { b_30m: { href: 'b.tif', type: 'image/tiff' } }, links: [] });
  const file = join(dir, 'items.json');
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
  return file;
}

function boxStage(a: Series, b: Series, g: Grid = grid) {
  return { name: 'box', task: boxMeanTask, params: { scale: 2 }, grid: g, dates: DATES, inputs: { a: { series: a, halo: 1 }, b: { series: b } }, outputs: [{ name: 'mean', variable: 'box' }] };
}

/** Tiles of 256 px: windows large enough to be read from the files (tiles of 7 px are not). */
function service(store: string, tileSize = 256) {
  return createTileService({ store, run: 'test-run', scope: 'node', tileSize, executor: createLocalExecutor(createWorkerPool(1), stagePluginsTileTask) });
}

/** The scene at `file`, every GeoTIFF load layer-backed however small. */
const openScene = (file: string) => readStacScene(file, { layerBackedFrom: 0 });

test('a tile stage reads a STAC scene\'s GeoTIFF layers by window: nothing spilled, the untiled answer, decoded as a whole read decodes', { skip }, async () => {
  const scene = await openScene(await writeScene(join(root, 'scene')));
  const a = await scene.load('a_30m');
  const b = await scene.load('b_30m');
  assert.deepEqual(seriesLayersOf(a)?.map((l) => l.path), [join(root, 'scene', 'a_0.tif'), join(root, 'scene', 'a_1.tif')]);
  const store = join(root, 'store');
  const out = await service(store).run(boxStage(a, b));
  // The stage names the files, read by window; the store holds no spilled copy; the inputs were never loaded.
  const stage = await readStage(store, 'node/box');
  assert.deepEqual([stage.inputs.a.kind, stage.inputs.b.kind], ['raster', 'raster']);
  assert.equal(existsSync(join(store, dirname(storePaths.input('sha')))), false, 'no spilled input in the store');
  assert.ok(seriesLayersOf(a) && seriesLayersOf(b), 'still unread');
  // Each tile's windows (halo included) decoded as the whole file: the untiled answer on the independently decoded values.
  const bWhole = Float32Array.from({ length: grid.width * grid.height }, (_, i) => (i === 5 ? Number.NaN : Math.fround(i / 100)));
  for (const d of [0, 1]) assert.deepEqual(out.mean.values[d], boxMeanReference(physical(d), bWhole, grid.width, grid.height, 2), `date ${DATES[d]}`);
  // A whole read (any reader of `values`): the same values as the eager path (a window of the whole grid) and as the file means.
  const eager = await scene.load('a_30m', { window: { x: 0, y: 0, width: grid.width, height: grid.height } });
  assert.equal(seriesLayersOf(eager), undefined, 'a window is read at once');
  assert.deepEqual(a.values, eager.values);
  assert.deepEqual(a.values, [physical(0), physical(1)]);
  assert.equal(seriesLayersOf(a), undefined, 'once read, no longer handed to tiles by file');
  // Read, it is spilled as any in-memory series: same product.
  const again = await service(join(root, 'store-read')).run(boxStage(a, b));
  assert.equal((await readStage(join(root, 'store-read'), 'node/box')).inputs.a.kind, 'raw');
  assert.deepEqual(again.mean.values, out.mean.values);
  // Unread but cut in small tiles: loaded once and spilled rather than opened by every tile; same product.
  const b2 = await scene.load('b_30m');
  const small = await service(join(root, 'store-small'), 7).run(boxStage(await scene.load('a_30m'), b2));
  assert.equal((await readStage(join(root, 'store-small'), 'node/box')).inputs.b.kind, 'raw');
  assert.equal(seriesLayersOf(b2), undefined);
  assert.deepEqual(small.mean.values, out.mean.values);
  // Below the scene's size threshold (default 64 MiB), a load is read at once, as before.
  assert.equal(seriesLayersOf(await (await readStacScene(join(root, 'scene', 'items.json'))).load('a_30m')), undefined);
});

test('a layer-backed asset is checked for a valid value without being loaded; an all-nodata one is refused', { skip }, async () => {
  const dir = join(root, 'empty');
  mkdirSync(dir, { recursive: true });
  const nan = () => new Float32Array(grid.width * grid.height).fill(Number.NaN);
  await writeGeoTiff(join(dir, 'e.tif'), rasterFromBands(grid, [nan()]), { overviews: false });
  const last = nan();
  last[last.length - 1] = 0.3; // the only valid value, in the last strip read
  await writeGeoTiff(join(dir, 'b.tif'), rasterFromBands(grid, [last]), { overviews: false });
  writeFileSync(join(dir, 'items.json'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', stac_version: '1.0.0', id: 's', properties: { datetime: null }, assets: { e: { href: 'e.tif', type: 'image/tiff' }, b: { href: 'b.tif', type: 'image/tiff' } }, links: [] }] }));
  const scene = await openScene(join(dir, 'items.json'));
  const empty = await scene.load('e');
  await assert.rejects(checkInputAsset(empty, { node: 'scene', key: 'e', files: [join(dir, 'e.tif')] }), /asset 'e' of node 'scene' has no valid value.*found 262144 values, all NaN/);
  const b = await scene.load('b');
  await checkInputAsset(b, { node: 'scene', key: 'b', files: [] });
  assert.ok(seriesLayersOf(empty) && seriesLayersOf(b), 'neither was loaded');
});

test('a whole read of a layer-backed series raises the reader\'s error, naming the file', { skip }, async () => {
  const dir = join(root, 'broken');
  await writeScene(dir);
  const scene = await openScene(join(dir, 'items.json'));
  const a = await scene.load('a_30m');
  writeFileSync(join(dir, 'a_1.tif'), readFileSync(join(dir, 'a_1.tif')).subarray(0, 400)); // cut short after the scene was opened
  assert.throws(() => a.values, (e: Error) => e.name === 'SoilscaleError' && e.message.startsWith(join(dir, 'a_1.tif')));
});

test('--resume refuses a run whose layer-backed input file was replaced since its stage was written', { skip }, async () => {
  const dir = join(root, 'replaced');
  await writeScene(dir);
  const scene = await openScene(join(dir, 'items.json'));
  const store = join(root, 'replaced-store');
  await service(store).run(boxStage(await scene.load('a_30m'), await scene.load('b_30m')));
  await checkInterruptedRasterInputs(store, join(root, 'replaced-out')); // unchanged: accepted
  const file = join(dir, 'a_1.tif');
  const bytes = readFileSync(file);
  rmSync(file);
  writeFileSync(file, bytes); // the same bytes, a new file
  await assert.rejects(checkInterruptedRasterInputs(store, join(root, 'replaced-out')), (e: Error) => e.message.startsWith(`${file}: --resume: a raster input of tile stage 'node/box' changed since the interrupted run`));
});

test('on a target grid, an asset already on it stays layer-backed; one that is warped is loaded (and warped) as before', { skip }, async () => {
  const dir = join(root, 'target');
  const file = await writeScene(dir);
  const coarse = createGrid(128, 128, [500000, 120, 0, 4200000, 0, -120], 'EPSG:32633');
  await writeGeoTiff(join(dir, 'c.tif'), rasterFromBands(coarse, [Float32Array.from({ length: 128 * 128 }, (_, i) => i / 1000)]), { overviews: false });
  const items = JSON.parse(readFileSync(file, 'utf8')) as { features: Array<{ assets: Record<string, unknown> }> };
  items.features[2].assets.c_120m = { href: 'c.tif', type: 'image/tiff' };
  writeFileSync(file, JSON.stringify(items));
  const { scene, decisions } = sceneOnTargetGrid(await openScene(file), { like: 'a_30m' }, { resampling: { c_120m: 'bilinear' } });
  assert.deepEqual(decisions.map((d) => d.code), ['grid.warp']);
  const [a, c] = [await scene.load('a_30m'), await scene.load('c_120m')];
  assert.ok(seriesLayersOf(a), 'on the target as it is: stays in its files');
  assert.equal(seriesLayersOf(c), undefined, 'warped: in memory');
  assert.deepEqual(c.grid, grid);
  assert.deepEqual(a.values, [physical(0), physical(1)]);
});
