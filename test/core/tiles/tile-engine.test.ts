import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrid, createRng, createSavedModel, createWorkerPool, seriesRaster, writeGeoTiff, type Series } from '../../../core/index.js';
import { writeArtifact } from '../../../core/pipeline/outputs.js';
import { createLocalExecutor, createTileService, finishedRecord, inputWindow, readRawWindow, readStage, runTileJob, stagePluginsTileTask, storePaths, stageWindows, streamStageToCogs, tileWindows, MIN_PARALLEL_TILE_EDGE, type TileStageStats } from '../../../core/tiles/index.js';
import { readStageModel, writeStageModel } from '../../../core/tiles/model-file.js';
import { checkInterruptedRasterInputs } from '../../../core/tiles/raster-identity.js';
import { modelChecksum } from '../../../core/tiles/store.js';
import { boxMeanInputs, boxMeanReference, boxMeanRequest, shortTileTask } from '../../support/tile-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'soilscale-tiles-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const fixture = boxMeanInputs(9);
const { grid, dates, a, b } = fixture;
const request = boxMeanRequest(fixture);

function service(store: string, stats: TileStageStats[], threads = 1) {
  return createTileService({ store, run: 'test-run', scope: 'node', tileSize: 7, executor: createLocalExecutor(createWorkerPool(threads), stagePluginsTileTask), onStage: (s) => stats.push(s) });
}

test('tile windows cover the grid once, row-major, with edges on multiples of the alignment', () => {
  const r = createRng(4);
  for (let k = 0; k < 200; k++) {
    const w = 1 + Math.floor(r.next() * 120);
    const h = 1 + Math.floor(r.next() * 120);
    const size = 1 + Math.floor(r.next() * 40);
    const align = 1 + Math.floor(r.next() * 9);
    const windows = tileWindows(createGrid(w, h, [0, 1, 0, 0, 0, -1], 'EPSG:32633'), size, align);
    const seen = new Uint8Array(w * h);
    let previous = { x: -1, y: -1 };
    for (const win of windows) {
      assert.equal(win.x % align, 0);
      assert.equal(win.y % align, 0);
      assert.ok(win.y > previous.y || (win.y === previous.y && win.x > previous.x), 'row-major order');
      previous = win;
      for (let y = win.y; y < win.y + win.height; y++) for (let x = win.x; x < win.x + win.width; x++) seen[y * w + x]++;
    }
    assert.ok(seen.every((n) => n === 1), `every pixel in exactly one tile (${w}×${h}, size ${size}, align ${align})`);
  }
  assert.throws(() => tileWindows(grid, 0), /tile size must be a positive integer/);
});

test('a grid too small for the threads is cut into near-equal tiles no smaller than the minimum edge', () => {
  const at = (w: number, h: number) => createGrid(w, h, [0, 30, 0, 0, 0, -30], 'EPSG:32633');
  // Enough tiles at the asked size: the asked size is kept.
  assert.deepEqual(stageWindows(at(1000, 600), 512, 1, 2), tileWindows(at(1000, 600), 512, 1));
  // 297 px for 2 threads: four 149/148 px tiles (halving gave 256 + 41 px, three quarters of the work in one tile).
  assert.deepEqual(stageWindows(at(297, 297), 512, 1, 2).map((w) => [w.width, w.height]), [[149, 149], [148, 149], [149, 148], [148, 148]]);
  // A grid whose halves would be under the minimum edge stays one tile, whatever the threads.
  assert.equal(stageWindows(at(54, 54), 512, 9, 2).length, 1);
  assert.equal(stageWindows(at(2 * MIN_PARALLEL_TILE_EDGE - 2, 40), 512, 1, 8).length, 1);
  // Many threads: cut until the edge would fall below the minimum.
  const many = stageWindows(at(1000, 100), 512, 1, 8);
  assert.equal(many.length, 7);
  assert.ok(many.every((w) => w.width >= MIN_PARALLEL_TILE_EDGE && w.width <= 143));
  // The alignment still holds.
  assert.ok(stageWindows(at(400, 400), 512, 9, 2).every((w) => w.x % 9 === 0 && w.y % 9 === 0));
});

test('a raw window is the same pixels read whole-width, as one span or row by row', async () => {
  const width = 2000;
  const height = 200;
  const values = Float32Array.from({ length: width * height }, (_, i) => i * 0.5 - 7);
  const file = join(root, 'window.f32');
  writeFileSync(file, new Uint8Array(values.buffer));
  // Full width (one read), a wide window (one span), a narrow one (its span is over 1 MB: row by row), one row.
  for (const win of [{ x: 0, y: 3, width, height: 5 }, { x: 17, y: 20, width: 1500, height: 30 }, { x: 1990, y: 10, width: 10, height: 150 }, { x: 5, y: 199, width: 3, height: 1 }]) {
    const expected = new Float32Array(win.width * win.height);
    for (let r = 0; r < win.height; r++) expected.set(values.subarray((win.y + r) * width + win.x, (win.y + r) * width + win.x + win.width), r * win.width);
    assert.deepEqual(await readRawWindow(file, width, height, win), expected, JSON.stringify(win));
  }
  await assert.rejects(readRawWindow(file, width, height + 1, { x: 0, y: 0, width: 1, height: 1 }), /spilled tile input has the wrong size/);
});

test('a tile maps into a coarser input by coordinates, grown by the halo and clipped', () => {
  const coarse = createGrid(8, 6, [500000 - 60, 90, 0, 4200000 + 90, 0, -90], 'EPSG:32633'); // the fine origin is 2 fine pixels into column 0, 3 into row 1
  assert.deepEqual(inputWindow(grid, { x: 0, y: 0, width: 7, height: 7 }, coarse, 0), { x: 0, y: 1, width: 3, height: 3 });
  assert.deepEqual(inputWindow(grid, { x: 0, y: 0, width: 7, height: 7 }, coarse, 1), { x: 0, y: 0, width: 4, height: 5 });
  assert.deepEqual(inputWindow(grid, { x: 14, y: 14, width: 9, height: 3 }, coarse, 2), { x: 3, y: 3, width: 5, height: 3 });
  assert.throws(() => inputWindow(grid, { x: 0, y: 0, width: 7, height: 7 }, { ...coarse, crs: 'EPSG:4326' }), /another CRS/);
});

test('a tiled stage with a halo gives the untiled answer, on one thread or two', async () => {
  for (const threads of [1, 2]) {
    const stats: TileStageStats[] = [];
    const out = await service(join(root, `threads-${threads}`), stats, threads).run(request);
    dates.forEach((_, d) => assert.deepEqual(out.mean.values[d], boxMeanReference(a.values[d], b.values[0], 23, 17, 2)));
    assert.equal(out.mean.unit, 'm3/m3');
    assert.deepEqual(stats, [{ stage: 'node/box', tiles: 12, kept: 0, computed: 12 }]);
  }
});

test('a resumed stage keeps the finished tiles and redoes a corrupted block and a missing record', async () => {
  const store = join(root, 'resume');
  const stats: TileStageStats[] = [];
  const first = await service(store, stats).run(request);
  const again = await service(store, stats).run(request);
  assert.deepEqual(stats[1], { stage: 'node/box', tiles: 12, kept: 12, computed: 0 });
  assert.deepEqual(again.mean.values, first.mean.values);
  const block = join(store, storePaths.block('node/box', 5));
  const bytes = readFileSync(block);
  bytes[10] ^= 0xff;
  writeFileSync(block, bytes);
  // Checked by size only (a job that just completed: its worker hashed what it wrote), the same-size edit passes; by sha256 it does not.
  assert.ok(await finishedRecord(store, 'node/box', (await readStage(store, 'node/box')).hash, 5, false, 'size'));
  assert.equal(await finishedRecord(store, 'node/box', (await readStage(store, 'node/box')).hash, 5), undefined);
  unlinkSync(join(store, storePaths.done('node/box', 8)));
  const repaired = await service(store, stats).run(request);
  assert.deepEqual(stats[2], { stage: 'node/box', tiles: 12, kept: 10, computed: 2 });
  assert.deepEqual(repaired.mean.values, first.mean.values);
  // Other params: another stage hash, so no tile of the old one is kept.
  await service(store, stats).run({ ...request, params: { scale: 3 } });
  assert.deepEqual(stats[3], { stage: 'node/box', tiles: 12, kept: 0, computed: 12 });
});

test('a job for another version of the stage, or an edited stage file, is refused', async () => {
  const store = join(root, 'hash');
  await service(store, []).run(request);
  const stage = await readStage(store, 'node/box');
  const job = { run: 'test-run', store, stage: 'node/box', stageHash: '0'.repeat(64), tile: 3 };
  await assert.rejects(runTileJob(job, { models: async () => assert.fail('no model') }), /stage 'node\/box' tile 3: the stage in the tile store is not the one this job was queued for/);
  writeFileSync(join(store, storePaths.stage('node/box')), JSON.stringify({ ...stage, params: { scale: 5 } }));
  await assert.rejects(readStage(store, 'node/box'), /does not match its hash/);
});

test('a tile function whose output has the wrong size fails naming the stage, tile and output', async () => {
  await assert.rejects(
    service(join(root, 'short'), []).run({ ...request, name: 'short', task: shortTileTask as never, dates: [] }),
    /stage 'node\/short' tile 0: output 'mean' date static has the wrong size/,
  );
});

test('streaming a stage to COGs tile row by tile row writes the bytes of the in-memory product', async () => {
  const store = join(root, 'stream');
  const out = await service(store, []).run(request);
  const files = await streamStageToCogs(store, 'node/box', 'mean', join(root, 'streamed'));
  const written = await writeArtifact(join(root, 'memory'), 'mean', { ...out.mean, variable: 'box' } as Series);
  assert.deepEqual(files.map((f) => f.slice(join(root, 'streamed').length + 1)), written.map((f) => f.slice('mean/'.length)));
  files.forEach((f, i) => assert.ok(readFileSync(f).equals(readFileSync(join(root, 'memory', written[i]))), `${f} equals the in-memory write`));
});

test('a raster input replaced after its stage was written: tiles and --resume refuse it, naming the file; a new stage recomputes every tile', async () => {
  const dir = join(root, 'replaced');
  const layers = await Promise.all(dates.map(async (d, i) => {
    const path = join(dir, `a-${d}.tif`);
    await writeGeoTiff(path, seriesRaster(a, i), { compression: 'none' });
    return { path };
  }));
  const store = join(root, 'replaced-store');
  const raster = { ...request, inputs: { ...request.inputs, a: { raster: { variable: 'a', grid, dates, layers }, halo: 1 } } };
  await service(store, []).run(raster);
  const before = readStage(store, 'node/box');
  const recorded = (await before).inputs.a;
  assert.ok(recorded.kind === 'raster' && recorded.files?.length === 2 && recorded.files[0].size === statSync(layers[0].path).size);
  await checkInterruptedRasterInputs(store, join(root, 'replaced-out')); // unchanged: accepted

  // The same size, other pixels (the next date's), the modification time put back: only the status-change time tells.
  const { atime, mtime } = statSync(layers[0].path);
  await writeGeoTiff(layers[0].path, seriesRaster(a, 1), { compression: 'none' });
  utimesSync(layers[0].path, atime, mtime);
  assert.equal(statSync(layers[0].path).size, recorded.files![0].size);
  const stage = await before;
  await assert.rejects(runTileJob({ run: 'test-run', store, stage: stage.id, stageHash: stage.hash, tile: 0 }, { models: async () => { throw new Error('no models'); } }), (e: Error) => e.message.includes("a raster input of tile stage 'node/box' changed since the stage was written") && e.message.includes(layers[0].path) && /status changed/.test(e.message));
  await assert.rejects(checkInterruptedRasterInputs(store, join(root, 'replaced-out')), (e: Error) => e.message.includes(layers[0].path) && e.message.includes('--resume') && e.message.includes('replaced-out.resume') && /status changed/.test(e.message));

  // Another write that changes the size is named by its sizes.
  await writeGeoTiff(layers[0].path, seriesRaster(b, 0));
  await assert.rejects(checkInterruptedRasterInputs(store, join(root, 'replaced-out')), /size \d+ → \d+ bytes/);

  // The stage written again records the new file: another stage hash, so no tile of the old file is kept.
  const stats: TileStageStats[] = [];
  const again = await service(store, stats).run(raster);
  assert.notEqual((await readStage(store, 'node/box')).hash, stage.hash);
  assert.equal(stats[0].kept, 0);
  assert.deepEqual(again.mean.values[0], boxMeanReference(b.values[0], b.values[0], 23, 17, 2));
});

test('a stage model reads back exactly: nested typed arrays (a stacked model) and non-finite numbers kept', async () => {
  const member = createSavedModel({ id: 'regressor:rf', version: '1.0.0' }, { params: {}, data: { oob: Number.NaN }, binary: { treeSizes: Int32Array.of(3, 5) } });
  const model = createSavedModel({ id: 'regressor:stacking', version: '1.0.0' }, { params: { method: 'nnls' }, data: { weights: [0.5, Infinity], members: [member, null] }, binary: { top: Float32Array.of(1.5) } });
  const dir = join(root, 'model');
  const sha = await writeStageModel(dir, model);
  assert.deepEqual(await readStageModel(join(dir, 'model.model.json')), model);
  assert.equal(await modelChecksum(join(dir, 'model.model.json')), sha);
});

test('an input read by window from GeoTIFF files gives the same tiles as the series spilled to the store', async () => {
  const dir = join(root, 'rasters');
  const layers = await Promise.all(dates.map(async (d, i) => {
    const path = join(dir, `a-${d}.tif`);
    await writeGeoTiff(path, seriesRaster(a, i));
    return { path };
  }));
  const fromFiles = await service(join(root, 'raster-store'), []).run({ ...request, inputs: { ...request.inputs, a: { raster: { variable: 'a', grid, dates, layers }, halo: 1 } } });
  dates.forEach((_, d) => assert.deepEqual(fromFiles.mean.values[d], boxMeanReference(a.values[d], b.values[0], 23, 17, 2)));
  await assert.rejects(service(join(root, 'raster-bad'), []).run({ ...request, inputs: { ...request.inputs, a: { raster: { variable: 'a', grid, dates, layers: layers.slice(1) } } } }), /tile input 'a' has 1 layers for 2 dates/);
});
