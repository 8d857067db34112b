/**
 * ESTARFM as a tile function, through the tile engine (context.tiles, in-process executor): any tiling
 * (tiles that do not divide the grid, tiles crossing zhu2018's blocks) gives the bytes of the
 * whole-image `fusePair` (which reference.test.ts checks against the reference), and the fuser gives
 * the same product through tiles of any size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGrid, createPluginContext, createWorkerPool, makeSeries, type Series, type WorkerPool } from '../../../core/index.js';
import { builtinTileTask } from '../../../host/index.js';
import { estarfmFuser } from '../index.js';
import { pairStage } from '../src/fuser.js';
import { fusePair, type EstarfmOptions } from '../src/pair-fusion.js';
import { bandOutput } from '../src/pair-tile.js';
import { paramsWith } from './params.js';
import { loadCase } from './reference-data.js';

const D = ['2002-01-01', '2002-01-05', '2002-01-09'];

/** A reference case as series: fine on the base dates, coarse on the base dates and the target. */
function caseSeries(name: string): { fine: Series[]; coarse: Series[] } {
  const c = loadCase(name);
  const grid = createGrid(c.width, c.height, [500000, 30, 0, 4000000, 0, -30], 'EPSG:32633');
  return {
    fine: c.fine1.map((_, b) => makeSeries({ variable: `band${b}`, grid, dates: [D[0], D[2]], values: [c.fine1[b], c.fine2[b]] })),
    coarse: c.fine1.map((_, b) => makeSeries({ variable: `band${b}`, grid, dates: D, values: [c.coarse1[b], c.coarse0[b], c.coarse2[b]] })),
  };
}

for (const [mode, options] of [
  ['zhu2018, blocks of 45 px', { halfWindow: 12, numClasses: 4, dnMin: 0, dnMax: 10000, background: -9999, compat: 'zhu2018', blockSize: 45, similarPixels: 0, tileSize: 128 }],
  ['default, FAST', { halfWindow: 9, numClasses: 4, dnMin: 0, dnMax: 10000, background: -9999, compat: 'default', blockSize: 500, similarPixels: 20, tileSize: 128 }],
] as const) {
  test(`tiles of 100, 37 and 16 px give the whole-image bytes (${mode}, 3 bands with nodata)`, async () => {
    const { fine, coarse } = caseSeries('crop100_3band_nodata');
    const at = (s: Series, i: number) => s.values[i];
    const whole = await fusePair(
      { width: 100, height: 100, fine1: fine.map((f) => at(f, 0)), coarse1: coarse.map((c) => at(c, 0)), fine2: fine.map((f) => at(f, 1)), coarse2: coarse.map((c) => at(c, 2)), targets: [coarse.map((c) => at(c, 1))] },
      options as EstarfmOptions,
    );
    const request = pairStage({ fine, coarse, base1: D[0], base2: D[2], targets: [D[1]] }, options as EstarfmOptions, false);
    for (const size of [100, 37, 16]) {
      const outputs = await createPluginContext({ tileSize: size }).tiles.run(request);
      fine.forEach((_, b) => assert.deepEqual(outputs[bandOutput(b)].values[0], whole.values[0][b], `tile ${size}, band ${b}`));
    }
  });
}

test('the fuser gives the same product through tiles of any size (a single pair used twice included)', async () => {
  const { fine, coarse } = caseSeries('crop100_ndvi_1band');
  const run = async (size: number, threads?: WorkerPool) => {
    const context = createPluginContext({ tileSize: size, warn: () => {}, ...(threads ? { workers: threads, tileTask: builtinTileTask } : {}) });
    const fuser = await estarfmFuser.create(paramsWith({ halfWindow: 8, dnMin: -1, dnMax: 1, outsideSpan: 'nearest-one', truncate: false }), context);
    return fuser.fuse({ coarse: [makeSeries({ ...coarse[0], dates: [...D, '2002-01-12'], values: [...coarse[0].values, coarse[0].values[1]] })], fine: [fine[0]] });
  };
  const one = await run(100);
  assert.deepEqual(one.tables!.pairs.rows.map((r) => r.method), ['fine', 'pair', 'fine', 'single-pair']);
  for (const size of [41, 23]) {
    const tiled = await run(size);
    assert.deepEqual(tiled.product[0].values, one.product[0].values, `tile ${size}`);
    assert.deepEqual(tiled.tables, one.tables);
  }
  // A run's executor: tile jobs on worker threads, each importing the tile function by its module URL.
  const pool = createWorkerPool(2);
  try {
    assert.deepEqual((await run(30, pool)).product[0].values, one.product[0].values, 'tiles of 30 on 2 threads');
  } finally {
    await pool.close();
  }
});

test('the deprecated tileSize param is ignored with a warning naming it (tiles are the run\'s)', async () => {
  const warnings: string[] = [];
  await estarfmFuser.create(paramsWith({ tileSize: 128 }), createPluginContext({ warn: (code, message) => warnings.push(`${code}: ${message}`) }));
  assert.deepEqual(warnings, ["estarfm-tile-size-ignored: fuser:estarfm tileSize 128 is ignored: the fusion runs on the run's tiles (--tile-size)"]);
  const none: string[] = [];
  await estarfmFuser.create(paramsWith(), createPluginContext({ warn: (code) => none.push(code) }));
  assert.deepEqual(none, []);
});
