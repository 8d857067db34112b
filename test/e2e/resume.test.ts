import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { finishedRecord, readStage } from '../../core/tiles/index.js';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';

// A run of the example pipeline SIGKILLed after its first tiles, then resumed: the product is the
// uninterrupted run's, bytes for bytes, and only the tiles without a valid record are recomputed.
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const DEMO = 'demo={"days":6,"coarseCells":[6,6],"fineFactor":11,"stations":15}';
const STAGE = 'down_regression/predict';
const env = { ...process.env, CI: '1', SOILSCALE_DEBUG: '', SOILSCALE_THREADS: '1' };
const runArgs = (out: string, ...extra: string[]) => [CLI, 'run', join(ROOT, 'pipelines', 'example.json'), '--out', out, '--param', DEMO, '--tile-size', '9', ...extra];

function soilscale(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start a resumable run and SIGKILL it as soon as a tile has its completion record. */
async function killAfterFirstTile(out: string): Promise<void> {
  const done = join(`${out}.resume`, 'tiles', STAGE, 'done');
  const child = spawn(process.execPath, runArgs(out, '--resumable'), { cwd: ROOT, env, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setInterval(() => {
    if (existsSync(done) && readdirSync(done).some((f) => f.endsWith('.json'))) child.kill('SIGKILL');
  }, 2);
  const code = await exited;
  clearInterval(timer);
  assert.equal(code, null, 'the run was killed before it finished');
}

function productBytes(dir: string): Map<string, Buffer> {
  const sub = join(dir, 'sm_1km-regression');
  return new Map(readdirSync(sub).map((f) => [f, readFileSync(join(sub, f))]));
}

test('a run killed mid-stage resumes: identical product, finished tiles kept, the others recomputed', async (t) => {
  const dir = tempDir('soilscale-resume-');
  const reference = soilscale(runArgs(join(dir, 'reference'), '--quiet'));
  assert.equal(reference.code, 0, reference.stderr);

  const out = join(dir, 'killed');
  await killAfterFirstTile(out);
  assert.ok(!existsSync(out), 'no output folder from a killed run');
  const store = join(`${out}.resume`, 'tiles');
  const stage = await readStage(store, STAGE);
  let kept = 0;
  for (let t = 0; t < stage.windows.length; t++) if (await finishedRecord(store, STAGE, stage.hash, t)) kept++;
  assert.equal(stage.windows.length, 36);
  assert.ok(kept >= 1, 'a tile was finished before the kill');
  t.diagnostic(`${kept} of 36 tiles finished before the kill`);

  const again = soilscale(runArgs(out, '--quiet'));
  assert.equal(again.code, 2, 'a new run refuses to start over a resumable one');
  assert.match(again.stderr, /interrupted resumable run .* is waiting/);
  const otherSeed = soilscale(runArgs(out, '--resume', '--seed', '5'));
  assert.equal(otherSeed.code, 2);
  assert.match(otherSeed.stderr, /started with another pipeline, params, seed/);

  const resumed = soilscale(runArgs(out, '--resume'));
  assert.equal(resumed.code, 0, resumed.stderr);
  if (kept < 36) assert.match(resumed.stderr, new RegExp(`stage ${STAGE}: ${kept} of 36 tiles kept from the interrupted run`));
  assert.ok(!existsSync(`${out}.resume`) && !existsSync(join(out, 'tiles')), 'the tile store is gone once the run is complete');
  assert.deepEqual(productBytes(out), productBytes(join(dir, 'reference')));
});
