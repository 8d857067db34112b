import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, createWorkerPool, makeSeries, type Series } from '../../../core/index.js';
import { writeArtifact } from '../../../core/pipeline/outputs.js';
import { checkOutputProduct, validCount } from '../../../core/pipeline/product-checks.js';
import { createWarningCollector } from '../../../core/pipeline/warnings.js';
import { assembleSeries, createLocalExecutor, createTileService, readStage, stagePluginsTileTask, storePaths, streamableTileOutput, type StreamedCount } from '../../../core/tiles/index.js';
import { releaseTileOutputs } from '../../../core/tiles/tile-series.js';
import type { Artifact } from '../../../core/plugin/artifact.js';
import { boxMeanInputs, boxMeanReference, boxMeanRequest } from '../../support/tile-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'soilscale-tile-series-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const fixture = boxMeanInputs(11);
const { dates, a, b } = fixture;
// NaN pixels, so the writer's valid-value count is tested against a product with nodata.
a.values[0].fill(Number.NaN, 30, 80);
const request = boxMeanRequest(fixture);
const pool = createWorkerPool(1);
test.after(() => pool.close());

function service(store: string) {
  return createTileService({ store, run: 'test-run', scope: 'node', tileSize: 7, executor: createLocalExecutor(pool, stagePluginsTileTask) });
}

/** A copy holding the same arrays: what a plugin that spreads a series hands on (written from memory). */
function inMemory(s: Series): Series {
  return { ...s };
}

test('a tiled output is read from the tile store only when its pixels are, and gives the assembled values', async () => {
  const store = join(root, 'lazy');
  const out = await service(store).run(request);
  assert.ok(streamableTileOutput(out.mean), 'unread after the stage');
  assert.equal(out.mean.unit, 'm3/m3');
  assert.deepEqual(out.mean.dates, dates);
  const assembled = await assembleSeries(store, await readStage(store, 'node/box'));
  assert.equal(out.mean.values.length, dates.length);
  assert.equal(streamableTileOutput(out.mean), undefined, 'read once its values were');
  dates.forEach((_, d) => {
    assert.deepEqual(out.mean.values[d], assembled.mean.values[d]);
    assert.deepEqual(out.mean.values[d], boxMeanReference(a.values[d], b.values[0], 23, 17, 2));
  });
  assert.equal(out.mean.values, out.mean.values, 'read once, then kept');
});

test('an unread tiled output is streamed to the bytes the in-memory writer gives, with its valid count', async () => {
  for (const [label, req] of [['dated', request], ['static', { ...request, name: 'box-static', dates: [] }]] as const) {
    const store = join(root, `write-${label}`);
    const out = await service(store).run(req);
    const counted = new Map<Artifact, StreamedCount>();
    const streamed = await writeArtifact(join(root, `streamed-${label}`), 'mean', out.mean, counted);
    assert.ok(streamableTileOutput(out.mean), `${label}: written without reading the series`);
    const memory = await writeArtifact(join(root, `memory-${label}`), 'mean', inMemory(out.mean));
    assert.deepEqual(streamed, memory);
    assert.deepEqual(streamed, label === 'dated' ? dates.map((d) => `mean/${d}.tif`) : ['mean.tif']);
    for (const f of streamed) assert.ok(readFileSync(join(root, `streamed-${label}`, f)).equals(readFileSync(join(root, `memory-${label}`, f))), `${label} ${f}: same bytes`);
    const count = counted.get(out.mean);
    assert.deepEqual(count, validCount(inMemory(out.mean)));
    assert.ok(count!.valid < count!.total && count!.valid > 0, 'the count sees the NaN pixels');
  }
});

test('a stage written again under the same id reads the earlier outputs first', async () => {
  const store = join(root, 'again');
  const first = await service(store).run(request);
  const second = await service(store).run({ ...request, params: { scale: 3 } });
  assert.equal(streamableTileOutput(first.mean), undefined, 'the first outputs were read before their blocks were replaced');
  assert.deepEqual(first.mean.values[1], boxMeanReference(a.values[1], b.values[0], 23, 17, 2));
  assert.deepEqual(second.mean.values[1], boxMeanReference(a.values[1], b.values[0], 23, 17, 3));
});

test('releasing the store reads the outputs to keep; another unread output then fails naming its files', async () => {
  const store = join(root, 'release');
  const kept = (await service(store).run(request)).mean;
  const other = (await service(store).run({ ...request, name: 'other' })).mean;
  const files = await writeArtifact(join(root, 'release-out'), 'other', other);
  releaseTileOutputs(store, [kept]);
  rmSync(store, { recursive: true, force: true });
  assert.deepEqual(kept.values[0], boxMeanReference(a.values[0], b.values[0], 23, 17, 2));
  assert.throws(() => other.values, (e: Error) => e.message.includes("output 'mean' of tile stage 'node/other'") && e.message.includes(files[0]));
});

test('a stream that fails mid-product leaves no partial or temporary file', async () => {
  const store = join(root, 'fail');
  const out = await service(store).run(request);
  const stage = await readStage(store, 'node/box');
  // The last tile's block cut short: the first date fails at the last tile row, after rows were written.
  truncateSync(join(store, storePaths.block(stage.id, stage.windows.length - 1)), 8);
  const dir = join(root, 'fail-out');
  await assert.rejects(writeArtifact(dir, 'mean', out.mean), /a tile block is shorter than its stage says/);
  assert.deepEqual(existsSync(join(dir, 'mean')) ? readdirSync(join(dir, 'mean')) : [], []);
});

test('an empty product streamed from the store fails the product check from the writer\'s count, unread', async () => {
  const store = join(root, 'empty');
  const nan = makeSeries({ ...a, values: a.values.map((v) => new Float32Array(v.length).fill(Number.NaN)) });
  const out = await service(store).run({ ...request, inputs: { ...request.inputs, a: { series: nan, halo: 1 } } });
  const counted = new Map<Artifact, StreamedCount>();
  await writeArtifact(join(root, 'empty-out'), 'mean', out.mean, counted);
  assert.throws(() => checkOutputProduct('mean', out.mean, createWarningCollector(createMemoryLogger()), 'node', counted), /output 'mean' of node 'node' is empty: all 782 values are NaN/);
  assert.ok(streamableTileOutput(out.mean), 'checked without reading the series');
});
