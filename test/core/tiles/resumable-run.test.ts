import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkerPool, isSoilscaleError, seriesRaster, writeGeoTiff } from '../../../core/index.js';
import { createLocalExecutor, createTileService, stagePluginsTileTask } from '../../../core/tiles/index.js';
import { boxMeanInputs, boxMeanTask } from '../../support/tile-fixture.js';
import { runPipeline } from '../../../core/host.js';
import { emptyRegistry, pipelineFixture, quiet, tempDir } from '../pipeline/helpers.js';

// The run-safety rules for resumable runs (docs/trustworthy-runs.md, "Resumable runs").
const run = (p: string, out: string, options: { resumable?: boolean; resume?: boolean } = {}) => runPipeline(p, { out, registry: emptyRegistry(), report: false, ...quiet, ...options });

async function usage(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e) => isSoilscaleError(e) && e.kind === 'usage' && pattern.test(e.message));
}

test('a failed resumable run keeps only its tile store, in <out>.resume, and releases its lock', async () => {
  const out = join(tempDir(), 'june');
  await assert.rejects(run(pipelineFixture('failing'), out, { resumable: true }), /boom|failed/);
  assert.ok(!existsSync(out), 'no output folder');
  assert.ok(!existsSync(`${out}.lock`), 'the lock is released');
  assert.deepEqual(readdirSync(`${out}.resume`), ['tiles']);
  assert.ok(existsSync(join(`${out}.resume`, 'tiles', 'run.json')));
  // While it waits, no other run starts over it; resuming it with another pipeline is refused and keeps it.
  await usage(run(pipelineFixture('basic'), out), /an interrupted resumable run of this output folder is waiting/);
  await usage(run(pipelineFixture('basic'), out, { resumable: true }), /is waiting/);
  await usage(run(pipelineFixture('basic'), out, { resume: true }), /started with another pipeline, params, seed/);
  assert.deepEqual(readdirSync(`${out}.resume`), ['tiles']);
});

test('resuming when no run was interrupted is a usage error naming the folder', async () => {
  await usage(run(pipelineFixture('basic'), join(tempDir(), 'july'), { resume: true }), /there is no interrupted run to resume/);
});

test('--resume refuses an interrupted run whose raster tile input was replaced since, naming the file and the change', async () => {
  const out = join(tempDir(), 'august');
  await assert.rejects(run(pipelineFixture('failing'), out, { resumable: true }), /boom|failed/);
  // A stage of the interrupted run that read a GeoTIFF by window (as a plugin's context.tiles does).
  const { grid, dates, a, b } = boxMeanInputs(9);
  const layers = await Promise.all(dates.map(async (d, i) => {
    const path = join(tempDir(), `a-${d}.tif`);
    await writeGeoTiff(path, seriesRaster(a, i));
    return { path };
  }));
  const store = join(`${out}.resume`, 'tiles');
  await createTileService({ store, run: 'interrupted', scope: 'stage', tileSize: 7, executor: createLocalExecutor(createWorkerPool(1), stagePluginsTileTask) }).run({
    name: 'box', task: boxMeanTask, params: { scale: 2 }, grid, dates,
    inputs: { a: { raster: { variable: 'a', grid, dates, layers }, halo: 1 }, b: { series: b } },
    outputs: [{ name: 'mean', variable: 'box' }],
  });
  writeFileSync(layers[1].path, 'replaced');
  const escaped = layers[1].path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await usage(run(pipelineFixture('failing'), out, { resume: true }), new RegExp(`^${escaped}: --resume: a raster input of tile stage 'stage/box' changed since the interrupted run .*found size \\d+ → 8 bytes; modified`));
  assert.ok(existsSync(join(store, 'stage', 'box', 'stage.json')), 'the interrupted run is kept');
});
