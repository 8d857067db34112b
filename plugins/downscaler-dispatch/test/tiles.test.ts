/**
 * DISPATCH through tiles of whole LR cells, on the engine's tile service (2 threads, tiles written to and
 * assembled from its store, summaries kept in the tile records): every tiling (one tile, one cell per
 * tile, tiles that do not divide the grid, end-member windows crossing tiles) gives the same product,
 * spread and tables, and those are the bytes of the whole-scene code before tiling (sha256 captured
 * from commit 24fc385) and of the plugin run without a tile service that summarises (one tile in the
 * calling thread).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createPluginContext, readStacScene, type DownscaleResult, type Series } from '../../../core/index.js';
import { engineTiles } from '../../../test/support/engine-tiles.js';
import { writeSyntheticScene } from '../../source-synthetic/index.js';
import { dispatchDownscaler, type DispatchParams } from '../index.js';
import { dispatchParams } from './params.js';

const dir = mkdtempSync(join(tmpdir(), 'soilscale-dispatch-tiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// 6 × 5 LR cells of 7 × 7 fine pixels: 42 × 35 px.
const scene = writeSyntheticScene({ days: 20, start: '2023-06-01', coarseCells: [6, 5], coarseFactor: 7, fineFactor: 1, stations: 15, seed: 3 }, dir).then(({ catalogPath }) => readStacScene(catalogPath));

const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const seriesSha = (s: Series) => sha(Buffer.concat(s.values.map((v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength))));
const tableSha = (rows: unknown) => sha(JSON.stringify(rows, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)));

let stores = 0;
/** DISPATCH on the engine's tiles of `tileSize` px, or (`oneTile`) on a service without `runWithSummaries`: one tile in this thread. */
async function run(over: Partial<DispatchParams>, tileSize: number, oneTile = false): Promise<{ result: DownscaleResult; tiles: number }> {
  const s = await scene;
  const engine = engineTiles(join(dir, `tiles-${stores++}`), tileSize);
  const tiles = oneTile ? { run: engine.run } : engine;
  const context = createPluginContext({ warn: () => {}, tiles });
  const ds = await dispatchDownscaler.create(dispatchParams(over), context);
  const result = await ds.downscale({ coarse: await s.load('sm_coarse'), predictors: { ndvi: await s.load('ndvi_1km'), lst: await s.load('lst_1km'), dem: await s.load('dem_1km') } });
  return { result, tiles: oneTile ? 1 : engine.tilesRun };
}

const CASES = {
  'defaults (temporal SMp, bilinear base, topography, scene end-members)': {
    over: { clip: [] },
    today: { product: '55a265c08fd5bb29', uncertainty: '89582e108e096d6f', endmembers: 'cb0606c7b1055462', see: '47ba4bda2d26a91c', fallbacks: '265955979a136c84', smp: 'e7712130d275b4ab', topography: '40d0884f4c879123' },
  },
  'lrWindow end-members (windows cross tiles), TVDI zone D, gaps filled': {
    over: { endmemberScope: 'lrWindow', windowCells: 1, zoneD: 'tvdi', gapFill: 'coarse' },
    today: { product: '06208e84271b8bbe', uncertainty: 'ca9cc6f593dcd706' },
  },
} satisfies Record<string, { over: Partial<DispatchParams>; today: Record<string, string> }>;

for (const [name, { over, today }] of Object.entries(CASES)) {
  test(`DISPATCH tiles of 1, 2 and 3 cells and one tile give today's bytes: ${name}`, async () => {
    const whole = await run(over, 1000);
    assert.equal(whole.tiles, 1);
    const shas: Record<string, string> = { product: seriesSha(whole.result.product), uncertainty: seriesSha(whole.result.uncertainty!) };
    for (const [t, table] of Object.entries(whole.result.tables!)) shas[t] = tableSha(table.rows);
    for (const [k, v] of Object.entries(today)) assert.equal(shas[k], v, `${k} differs from the pre-tiling code`);
    const inThread = await run(over, 1000, true);
    assert.deepEqual(inThread.result.product.values, whole.result.product.values, 'product, one tile in this thread');
    assert.deepEqual(inThread.result.uncertainty!.values, whole.result.uncertainty!.values, 'spread, one tile in this thread');
    assert.deepEqual(inThread.result.tables, whole.result.tables, 'tables, one tile in this thread');
    for (const [size, count] of [[7, 30], [14, 9], [20, 4]] as const) {
      const tiled = await run(over, size);
      assert.equal(tiled.tiles, count, `tile ${size}`);
      assert.deepEqual(tiled.result.product.values, whole.result.product.values, `product, tile ${size}`);
      assert.deepEqual(tiled.result.uncertainty!.values, whole.result.uncertainty!.values, `spread, tile ${size}`);
      assert.deepEqual(tiled.result.tables, whole.result.tables, `tables, tile ${size}`);
      assert.deepEqual(tiled.result.notes, whole.result.notes);
    }
  });
}
