/**
 * DISPATCH and validator:raster in a real run: their summary stages go through the run's tile store
 * (tiles of 7 px on two threads, which do not divide the 42 × 35 px grid; the validator's rounded up to
 * whole row segments of 3 coarse cells) and every file the run writes (products, spreads, DISPATCH's tables, the
 * validators' tables) is the bytes of the same run in one tile on one thread.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { createWorkerPool } from '../../core/index.js';
import { runPipeline } from '../../host/index.js';
import { quiet, tempDir } from '../core/pipeline/helpers.js';

const pipeline = new URL('../../../pipelines/dispatch.json', import.meta.url).pathname;
const demo = { days: 12, coarseCells: [6, 5], fineFactor: 7, stations: 15, seed: 3 };

/** Every file of a run folder but the manifest and report (they hold timings), by relative path. */
function files(dir: string, root = dir, out: Record<string, Buffer> = {}): Record<string, Buffer> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, root, out);
    else if (!['manifest.json', 'report.html'].includes(name)) out[relative(root, p)] = readFileSync(p);
  }
  return out;
}

test('DISPATCH and the raster validator run tiled in a real run and write the one-tile bytes', async () => {
  const run = (name: string, tileSize: number, threads: number) => runPipeline(pipeline, { out: join(tempDir(), name), params: { demo }, report: false, workers: createWorkerPool(threads), tileSize, ...quiet });
  const tiled = await run('tiled', 7, 2);
  const whole = await run('whole', 100000, 1);
  // 6 × 5 coarse cells of 7 px: one cell per tile.
  const tileCounts = (r: typeof tiled) => r.tiles.map((s) => `${s.stage} ${s.tiles}`);
  // The validator's two stages, once per compared product (DISPATCH, bilinear).
  const validator = (n: number) => ['vs_truth/totals', 'vs_truth/centred', 'vs_truth/totals-2', 'vs_truth/centred-2'].map((s) => `${s} ${n}`);
  assert.deepEqual(tileCounts(tiled), ['down_dispatch/dispatch 30', ...validator(9)]);
  assert.deepEqual(tileCounts(whole), ['down_dispatch/dispatch 1', ...validator(1)]);
  const a = files(tiled.outDir);
  const b = files(whole.outDir);
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  assert.ok(Object.keys(a).some((f) => f.includes('dispatch')), 'DISPATCH outputs written');
  assert.ok(Object.keys(a).some((f) => f.includes('vs_truth.perDate')), 'validator tables written');
  for (const f of Object.keys(a)) assert.ok(a[f].equals(b[f]), `${f} differs between the tiled and the one-tile run`);
});
