import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readGeoTiff, type Series } from '../../core/index.js';
import { runPipeline } from '../../host/index.js';
import { affineTile } from '../fixtures/queue/tile-plugins.js';
import { runOutputFiles as runFiles } from '../support/run-files.js';
import { runCli } from '../support/queue-processes.js';
import { FIXTURES, quiet, tempDir } from '../core/pipeline/helpers.js';

/**
 * Tiled products in normal runs (issue 15): a tile-stage output nobody reads is streamed from the tile
 * store to its COGs, and the run folder is the one a run keeping it in memory writes.
 */
const AFFINE = join(FIXTURES, 'queue', 'affine.json');
const CHAIN = join(FIXTURES, 'streamed', 'affine-chain.json');

async function tifValues(file: string): Promise<Float32Array> {
  return (await readGeoTiff(file)).bands[0];
}

describe('products of tile stages in a run', () => {
  it('an unread tiled product is streamed: the same files and manifest as a run keeping it in memory', async () => {
    const dir = tempDir();
    const params = { width: 300, height: 200 };
    const streamed = await runPipeline(AFFINE, { out: join(dir, 'streamed'), params, outputsInMemory: false, report: false, tileSize: 64, ...quiet });
    const kept = await runPipeline(AFFINE, { out: join(dir, 'kept'), params, report: false, tileSize: 64, ...quiet });
    const a = runFiles(streamed.outDir);
    const b = runFiles(kept.outDir);
    assert.deepEqual([...a.keys()], ['filtered/2024-05-01.tif', 'filtered/2024-05-02.tif']);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [f, bytes] of b) assert.ok(a.get(f)!.equals(bytes), `${f}: same bytes`);
    assert.deepEqual(streamed.manifest.outputs, kept.manifest.outputs);
    assert.deepEqual(streamed.manifest.files, kept.manifest.files);
    assert.deepEqual(streamed.warnings, kept.warnings);
    // Kept: the pixels are the files'. Streamed: never read, so not in memory after the run — an error naming its files.
    const product = kept.artifacts.get('filtered') as Series;
    assert.deepEqual(product.values[1], await tifValues(join(kept.outDir, 'filtered', '2024-05-02.tif')));
    assert.throws(() => (streamed.artifacts.get('filtered') as Series).values, /output 'output' of tile stage 'affine\/affine'.*filtered\/2024-05-01\.tif/);
  });

  it('soilscale run --no-report writes the same product files and no report', async () => {
    const dir = tempDir();
    const args = ['--param', 'width=300', '--param', 'height=200', '--tile-size', '64', '-q'];
    const cli = await runCli(['run', AFFINE, '--out', join(dir, 'cli'), '--no-report', ...args]);
    assert.equal(cli.code, 0, cli.output);
    const kept = await runPipeline(AFFINE, { out: join(dir, 'kept'), params: { width: 300, height: 200 }, tileSize: 64, ...quiet });
    assert.equal(existsSync(join(dir, 'cli', 'report.html')), false);
    assert.ok(existsSync(join(kept.outDir, 'report.html')));
    const a = runFiles(join(dir, 'cli'));
    assert.deepEqual([...a.keys()], [...runFiles(kept.outDir).keys()]);
    for (const [f, bytes] of runFiles(kept.outDir)) assert.ok(a.get(f)!.equals(bytes), `${f}: same bytes`);
  });

  it('a tiled output read by a downstream node is written from memory; the downstream product is the filter of it', async () => {
    const dir = tempDir();
    const r = await runPipeline(CHAIN, { out: join(dir, 'chain'), outputsInMemory: false, report: false, tileSize: 32, ...quiet });
    const first = r.artifacts.get('first') as Series;
    for (const [d, date] of first.dates.entries()) {
      assert.deepEqual(first.values[d], await tifValues(join(r.outDir, 'first', `${date}.tif`)), 'read by `second`, so kept');
      const { width, height } = first.grid;
      const window = { x: 0, y: 0, width, height };
      // The filter on the whole grid in one piece: what the tiled `second` must have written.
      const whole = await affineTile({ params: { a: 1, b: -0.25, c: 0, delayMs: 0, fail: false }, window, grid: first.grid, dates: [date], models: undefined as never, inputs: { input: { grid: first.grid, window, dates: [date], values: [first.values[d]] } } });
      assert.deepEqual(await tifValues(join(r.outDir, 'second', `${date}.tif`)), whole.output[0]);
    }
    assert.throws(() => (r.artifacts.get('second') as Series).values, /no longer in memory/);
  });
});
