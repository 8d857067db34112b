/**
 * Summary stages on the engine's tile service (`runWithSummaries`): outputs and per-tile summaries
 * through the store on two threads, in tile order; summaries kept in the records for a resumed run,
 * and a record whose summary was edited, or lost, recomputed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkerPool, type TileSummaryStageRequest } from '../../../core/index.js';
import { createLocalExecutor, createTileService, stagePluginsTileTask, storePaths, tileWindows, type TileStageStats } from '../../../core/tiles/index.js';
import { boxMeanInputs, boxMeanRequest, boxMeanReference, boxMeanSummaryTask, boxMeanTask, sumsOnlyTask, validSums } from '../../support/tile-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'soilscale-summary-tiles-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const fixture = boxMeanInputs(11);
const { grid, dates, a, b } = fixture;
const request: TileSummaryStageRequest<{ scale: number }> = { ...boxMeanRequest(fixture), task: boxMeanSummaryTask, outputs: [{ name: 'mean', variable: 'box' }] };
const pool = createWorkerPool(2);
const service = (store: string, stats: TileStageStats[]) => createTileService({ store, run: 'test-run', scope: 'node', tileSize: 7, executor: createLocalExecutor(pool, stagePluginsTileTask), onStage: (s) => stats.push(s) });
const windows = tileWindows(grid, 7);
const expected = windows.map((window) => ({ window, dates: validSums(a.values, 23, window) }));

test('a summary stage gives the untiled outputs and every tile\'s summary in tile order, on two threads', async () => {
  const stats: TileStageStats[] = [];
  const result = await service(join(root, 'two-threads'), stats).runWithSummaries(request);
  dates.forEach((_, d) => assert.deepEqual(result.outputs.mean.values[d], boxMeanReference(a.values[d], b.values[0], 23, 17, 2)));
  assert.deepEqual(result.windows, windows);
  assert.deepEqual(result.summaries, expected);
  // The tiles' counts add up to the whole grid's.
  const sums = result.summaries as unknown as typeof expected;
  dates.forEach((_, d) => assert.equal(sums.reduce((n, s) => n + s.dates[d].n, 0), validSums(a.values, 23, { x: 0, y: 0, width: 23, height: 17 })[d].n));
  assert.deepEqual(stats, [{ stage: 'node/box', tiles: 12, kept: 0, computed: 12 }]);
});

test('a summary stage without outputs writes empty blocks and gives its summaries', async () => {
  const result = await service(join(root, 'no-outputs'), []).runWithSummaries({ ...request, name: 'sums', task: sumsOnlyTask, outputs: [] });
  assert.deepEqual(result.outputs, {});
  assert.deepEqual(result.summaries, expected);
});

test('a resumed summary stage keeps its summaries, and recomputes a tile whose summary was edited or lost', async () => {
  const store = join(root, 'resume');
  const stats: TileStageStats[] = [];
  const first = await service(store, stats).runWithSummaries(request);
  const again = await service(store, stats).runWithSummaries(request);
  assert.deepEqual(stats[1], { stage: 'node/box', tiles: 12, kept: 12, computed: 0 });
  assert.deepEqual(again.summaries, first.summaries);
  const edit = (tile: number, change: (record: Record<string, unknown>) => void) => {
    const file = join(store, storePaths.done('node/box', tile));
    const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    change(record);
    writeFileSync(file, JSON.stringify(record));
  };
  edit(4, (r) => ((r.summary as typeof expected[0]).dates[1].n += 1));
  edit(9, (r) => delete r.summary);
  const repaired = await service(store, stats).runWithSummaries(request);
  assert.deepEqual(stats[2], { stage: 'node/box', tiles: 12, kept: 10, computed: 2 });
  assert.deepEqual(repaired.summaries, expected);
  assert.deepEqual(repaired.outputs.mean.values, first.outputs.mean.values);
});

test('a summary stage whose function returns plain outputs fails naming the stage and tile', async () => {
  await assert.rejects(
    service(join(root, 'plain'), []).runWithSummaries({ ...request, name: 'plain', task: boxMeanTask as never }),
    /stage 'node\/plain' tile \d+: the summary stage's tile function did not return \{ outputs, summary \}/,
  );
});
