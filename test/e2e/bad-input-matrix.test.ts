/**
 * The bad-input matrix of issue 13, run-level classes, through the built CLI: each case asserts the exit
 * code, what the message names (file, field, expected, found) and that nothing is left behind — no
 * `<out>.partial-*`, no `<out>.lock`, no `soilscale-run-*` in the child's own TMPDIR. Reader-level
 * cases (damaged GeoTIFFs, STAC, stations) are the fuzz suite's (test/fuzz).
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGrid, type Grid } from '../../core/index.js';
import { writeGeoTiff } from '../../core/io/geotiff-write.js';
import { pipelineFixture, ROOT, tempDir, TEST_PLUGINS } from '../core/pipeline/helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SAFETY_PLUGINS = join(ROOT, 'dist', 'test', 'fixtures', 'plugins', 'run-safety-plugins.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start the CLI with its own TMPDIR (and HOME), so that what it leaves there can be checked. */
function start(args: readonly string[], env: { tmp: string; home?: string; cwd?: string }): { child: ChildProcess; done: Promise<Outcome> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: env.cwd ?? ROOT, env: { ...process.env, CI: '1', SOILSCALE_DEBUG: '', TMPDIR: env.tmp, HOME: env.home ?? process.env.HOME } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** A sandbox: a folder for outputs and a TMPDIR for the child. */
function sandbox(): { dir: string; tmp: string } {
  const dir = tempDir('soilscale-matrix-');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  return { dir, tmp };
}

const soilscale = (env: { tmp: string; home?: string; cwd?: string }, ...args: string[]): Promise<Outcome> => start(args, env).done;

/** Nothing but `expected` in `dir` (no staging folder, no lock) and nothing of soilscale's in `tmp`. */
function assertNothingLeft(dir: string, tmp: string, expected: readonly string[]): void {
  assert.deepEqual(readdirSync(dir).filter((e) => e !== 'tmp').sort(), [...expected].sort());
  assert.deepEqual(readdirSync(tmp).filter((e) => e.startsWith('soilscale')), []);
}

/** Poll until `probe` answers, or fail if the child `done` first (so the test never waits for nothing). */
/** Files in a folder, 0 while it does not exist yet. */
function stagedFiles(folder: string): number {
  return existsSync(folder) ? readdirSync(folder).length : 0;
}

async function waitFor<T>(probe: () => T | undefined, done: Promise<Outcome>): Promise<T> {
  let ended: Outcome | undefined;
  void done.then((o) => (ended = o));
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (ended) assert.fail(`the command ended before the awaited state (exit ${ended.code}): ${ended.stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const COARSE: Grid = createGrid(2, 2, [500000, 4, 0, 4200000, 0, -4], 'EPSG:32633');
const FINE: Grid = createGrid(8, 8, [500000, 1, 0, 4200000, 0, -1], 'EPSG:32633');
const FINE_OTHER_CRS: Grid = createGrid(8, 8, [166021, 1, 0, 4210000, 0, -1], 'EPSG:32634');
const DATES = ['2024-06-01', '2024-06-02', '2024-06-03'];

/**
 * A STAC ItemCollection on disk: per date `sm_coarse` (2×2) and `ndvi_1km` (8×8); `nan` makes an asset
 * all-NaN, `ndviGrid` puts the predictor on another grid.
 */
async function writeScene(dir: string, options: { nan?: 'sm_coarse' | 'ndvi_1km'; ndviGrid?: Grid } = {}): Promise<string> {
  const ndviGrid = options.ndviGrid ?? FINE;
  const assets: Record<string, { grid: Grid; value: (d: number, i: number) => number }> = {
    sm_coarse: { grid: COARSE, value: (d, i) => 0.2 + 0.01 * d + 0.03 * i },
    ndvi_1km: { grid: ndviGrid, value: (d, i) => 0.3 + 0.002 * i + 0.01 * d },
  };
  const features = [];
  for (const [d, date] of DATES.entries()) {
    const itemAssets: Record<string, unknown> = {};
    for (const [key, a] of Object.entries(assets)) {
      const file = join(dir, 'data', key, `${date}.tif`);
      mkdirSync(join(dir, 'data', key), { recursive: true });
      const n = a.grid.width * a.grid.height;
      const band = Float32Array.from({ length: n }, (_, i) => (options.nan === key ? Number.NaN : a.value(d, i)));
      await writeGeoTiff(file, { kind: 'raster', grid: a.grid, bands: [band] });
      itemAssets[key] = { href: `data/${key}/${date}.tif`, type: 'image/tiff; application=geotiff', roles: ['data'], 'proj:code': a.grid.crs, 'proj:shape': [a.grid.height, a.grid.width], 'proj:transform': stacTransform(a.grid) };
    }
    features.push({ type: 'Feature', stac_version: '1.0.0', id: date, geometry: null, properties: { datetime: `${date}T00:00:00Z` }, links: [], assets: itemAssets });
  }
  const path = join(dir, 'scene.json');
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features }));
  return path;
}

/** STAC's proj:transform is the affine order (a, b, c, d, e, f), GDAL's geotransform is (c, a, b, f, d, e). */
function stacTransform(g: Grid): number[] {
  const [x0, px, rx, y0, ry, py] = g.transform;
  return [px, rx, x0, ry, py, y0];
}

/** Regression downscaling of sm_coarse on the NDVI predictor: the run every scene case goes through. */
function writePipeline(dir: string, scene: string, outputs: object = { sm: { $node: 'down', output: 'product' } }): string {
  const path = join(dir, 'pipeline.json');
  writeFileSync(
    path,
    JSON.stringify({
      schemaVersion: '1.0',
      id: 'matrix',
      nodes: {
        scene: { uses: 'source:stac', with: { path: scene } },
        down: {
          uses: 'downscaler:regression',
          with: {
            coarse: { $node: 'scene', output: 'sm_coarse' },
            target: { $node: 'scene', output: 'ndvi_1km' },
            predictors: { ndvi: { $node: 'scene', output: 'ndvi_1km' } },
            regressor: { uses: 'regressor:linear' },
          },
        },
      },
      outputs,
    }),
  );
  return path;
}

/** Pipeline: memory scene → a sink writing 300 files → a node that never finishes. */
function hangingPipeline(dir: string, marker: string): string {
  const path = join(dir, 'hang.json');
  writeFileSync(
    path,
    JSON.stringify({
      schemaVersion: '1.0',
      id: 'hang',
      plugins: [TEST_PLUGINS, SAFETY_PLUGINS],
      nodes: {
        scene: { uses: 'source:memory' },
        files: { uses: 'sink:test-files', with: { count: 300 } },
        hang: { uses: 'downscaler:test-hang', with: { coarse: { $node: 'scene', output: 'sm_coarse' }, marker } },
      },
      outputs: { sm: { $node: 'hang' } },
    }),
  );
  return path;
}

describe('bad-input matrix: data loss', () => {
  it("--overwrite refuses '.', '', the home folder, unrelated files and a non-run folder: exit 2, folder named, nothing touched", async () => {
    const { dir, tmp } = sandbox();
    const home = join(dir, 'home');
    const unrelated = join(dir, 'unrelated');
    const foreign = join(dir, 'foreign');
    for (const [folder, file, text] of [[home, '.bashrc', 'alias x=y'], [unrelated, 'data.csv', '1,2'], [foreign, 'manifest.json', '{"name":"pkg","files":["manifest.json"]}']]) {
      mkdirSync(folder);
      writeFileSync(join(folder, file), text);
    }
    const env = { tmp, home, cwd: dir };
    const cases: [string, RegExp][] = [
      ['.', new RegExp(`error: \\.: refusing to use ${dir} as the output folder: it is the current folder`)],
      ['', /error: --out: the output folder is empty \(expected a folder path, found ""\)/],
      [home, new RegExp(`refusing to use ${home} as the output folder: it is the home folder`)],
      ['unrelated', new RegExp(`--overwrite only replaces a complete earlier soilscale run; ${unrelated} is not one .*found no manifest\\.json`)],
      [foreign, new RegExp(`${foreign} is not one .*found manifest\\.json has format null, not "soilscale-run-manifest"`)],
    ];
    for (const [out, message] of cases) {
      const r = await soilscale(env, 'run', pipelineFixture('basic'), '--out', out, '--overwrite', '--quiet');
      assert.equal(r.code, 2, `${out}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(readFileSync(join(home, '.bashrc'), 'utf8'), 'alias x=y');
    assert.deepEqual(readdirSync(unrelated), ['data.csv']);
    assert.deepEqual(readdirSync(foreign), ['manifest.json']);
    assertNothingLeft(dir, tmp, ['home', 'unrelated', 'foreign']);
  });

  it('a second run into the same new --out while the first runs: exit 2 naming the folder and the owner; SIGTERM then leaves nothing (exit 143)', async () => {
    const { dir, tmp } = sandbox();
    const out = join(dir, 'out');
    const marker = join(dir, 'running');
    const first = start(['run', hangingPipeline(dir, marker), '--out', out, '--quiet'], { tmp });
    try {
      // The marker is written by the running node: wait until its pid is in it, not just until it exists.
      const pid = await waitFor(() => (existsSync(marker) ? readFileSync(marker, 'utf8') || undefined : undefined), first.done);
      // The run is mid-way: 300 files in its staging folder (the sink and the hanging node may run side
      // by side, so wait for the sink), a lock, a scratch folder in TMPDIR.
      const staging = await waitFor(() => readdirSync(dir).find((e) => e.startsWith('out.partial-') && stagedFiles(join(dir, e, 'many')) === 300), first.done);
      assert.ok(existsSync(`${out}.lock`));
      assert.ok(readdirSync(tmp).some((e) => e.startsWith('soilscale-run-')), staging);

      const second = await soilscale({ tmp }, 'run', pipelineFixture('basic'), '--out', out, '--quiet');
      assert.equal(second.code, 2, second.stderr);
      assert.match(second.stderr, new RegExp(`error: ${out}: another soilscale run is writing to ${out} \\(expected one run at a time per output folder, found lock ${out}\\.lock held by pid ${pid} `));
    } catch (e) {
      first.child.kill('SIGKILL');
      throw e;
    }

    first.child.kill('SIGTERM');
    const r = await first.done;
    assert.equal(r.code, 143, r.stderr);
    assertNothingLeft(dir, tmp, ['hang.json', 'running']);
  });

  it('Ctrl-C (SIGINT) mid-run: exit 130, no partial folder, no lock, no temp folder', async () => {
    const { dir, tmp } = sandbox();
    const marker = join(dir, 'running');
    const run = start(['run', hangingPipeline(dir, marker), '--out', join(dir, 'out'), '--quiet'], { tmp });
    await waitFor(() => (existsSync(marker) ? true : undefined), run.done).catch((e) => {
      run.child.kill('SIGKILL');
      throw e;
    });
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assertNothingLeft(dir, tmp, ['hang.json', 'running']);
  });

  it('SIGINT while the demo scene is generated into TMPDIR: no half scene left there', async () => {
    const { dir, tmp } = sandbox();
    const pipeline = join(ROOT, 'pipelines', 'baseline.json');
    const run = start(['run', pipeline, '--out', join(dir, 'out'), '--quiet', '--param', 'demo={"days":8,"coarseCells":[3,3]}'], { tmp });
    await waitFor(() => (readdirSync(tmp).some((e) => /^soilscale-synthetic-.*\.partial-/.test(e)) ? true : undefined), run.done);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assertNothingLeft(dir, tmp, []);
  });

  it('synth writes atomically: SIGTERM mid-write leaves nothing; a finished scene has no staging beside it', async () => {
    const { dir, tmp } = sandbox();
    const out = join(dir, 'scene');
    const options = '{"days":8,"coarseCells":[3,3]}';
    const synth = start(['synth', '--out', out, '--options', options], { tmp });
    await waitFor(() => (readdirSync(dir).some((e) => e.startsWith('scene.partial-')) ? true : undefined), synth.done);
    synth.child.kill('SIGTERM');
    const r = await synth.done;
    assert.equal(r.code, 143, r.stderr);
    assertNothingLeft(dir, tmp, []);

    const ok = await soilscale({ tmp }, 'synth', '--out', out, '--options', options);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), `wrote the synthetic scene to ${join(out, 'catalog.json')}`);
    assertNothingLeft(dir, tmp, ['scene']);
    assert.ok(readdirSync(join(out, 'data')).length > 5);
  });
});

describe('bad-input matrix: silent wrong answers', () => {
  for (const asset of ['sm_coarse', 'ndvi_1km'] as const) {
    it(`an all-NaN ${asset === 'sm_coarse' ? 'coarse input' : 'predictor'} fails (exit 1) naming the asset and its file`, async () => {
      const { dir, tmp } = sandbox();
      const pipeline = writePipeline(dir, await writeScene(dir, { nan: asset }));
      const r = await soilscale({ tmp }, 'run', pipeline, '--out', join(dir, 'out'), '--quiet');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`error: node 'down' failed: ${join(dir, 'data', asset, DATES[0])}\\.tif, .*: asset '${asset}' of node 'scene' has no valid value .*\\(expected at least one valid pixel, found \\d+ values, all NaN\\)`));
      assertNothingLeft(dir, tmp, ['data', 'scene.json', 'pipeline.json']);
    });
  }

  it('a predictor in another CRS fails (exit 1) naming the predictor, its asset, file and both CRSs', async () => {
    const { dir, tmp } = sandbox();
    const pipeline = writePipeline(dir, await writeScene(dir, { ndviGrid: FINE_OTHER_CRS }));
    // The coarse grid is in EPSG:32633 and so is the target; only the predictor is not.
    const path = join(dir, 'pipeline.json');
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    doc.nodes.down.with.target = { $node: 'scene', output: 'sm_coarse' };
    writeFileSync(path, JSON.stringify(doc));
    const r = await soilscale({ tmp }, 'run', pipeline, '--out', join(dir, 'out'), '--quiet');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`error: ${join(dir, 'data', 'ndvi_1km', DATES[0])}\\.tif, .*: nodes\\.down\\.with\\.predictors\\.ndvi: node 'down': predictor 'ndvi' \\(asset 'ndvi_1km' of node 'scene'\\) is in another CRS than the grid the node produces \\(expected EPSG:32633 \\(the target grid\\), found EPSG:32634\\)`));
    assertNothingLeft(dir, tmp, ['data', 'scene.json', 'pipeline.json']);
  });

  it('a misspelt output port: validate and run exit 2 naming the node, the port and the closest output', async () => {
    const { dir, tmp } = sandbox();
    const pipeline = writePipeline(dir, await writeScene(dir), { sm: { $node: 'down', output: 'prodcut' } });
    const expected = "outputs.sm.output: node 'down' (downscaler:regression) has no output 'prodcut'; did you mean 'product'? (outputs: product, uncertainty, lower, upper, model)";
    for (const args of [['validate', pipeline], ['run', pipeline, '--out', join(dir, 'out')]]) {
      const r = await soilscale({ tmp }, ...args);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.split('\n').includes(`  ${expected}`), r.stderr);
    }
    assertNothingLeft(dir, tmp, ['data', 'scene.json', 'pipeline.json']);
  });

  it("--seed abc and --param 'demo={\"days\":20' are usage errors (exit 2) that say what was expected", async () => {
    const { dir, tmp } = sandbox();
    const seed = await soilscale({ tmp }, 'run', pipelineFixture('basic'), '--out', join(dir, 'out'), '--seed', 'abc');
    assert.equal(seed.code, 2, seed.stderr);
    assert.equal(seed.stderr, 'error: --seed: must be an integer (expected an integer, e.g. --seed 7, found "abc")\n');
    const param = await soilscale({ tmp }, 'demo', '--out', join(dir, 'out'), '--param', 'demo={"days":20');
    assert.equal(param.code, 2, param.stderr);
    assert.match(param.stderr, /params\.demo \(given\): invalid JSON \(expected a JSON object\): Expected ',' or '}' after property value in JSON at position 10.*, got "\{\\"days\\":20"/);
    assertNothingLeft(dir, tmp, []);
  });

  it('--strict turns warnings into a failed run: exit 1, the warnings listed, nothing kept', async () => {
    const { dir, tmp } = sandbox();
    const lenient = await soilscale({ tmp }, 'run', pipelineFixture('basic'), '--out', join(dir, 'lenient'), '--quiet');
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(lenient.stderr, /^2 warnings:\n {2}\[node-skipped\] insitu: optional node skipped: .*\n {2}\[output-skipped\] insitu: output 'insitu_metrics' not written/m);
    assert.equal(JSON.parse(readFileSync(join(dir, 'lenient', 'manifest.json'), 'utf8')).warnings.length, 2);
    const strict = await soilscale({ tmp }, 'run', pipelineFixture('basic'), '--out', join(dir, 'strict'), '--quiet', '--strict');
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(strict.stderr, /^error: --strict: the run raised 2 warnings, so it failed and kept no output \(expected no warnings, found node-skipped, output-skipped\)\n {2}\[node-skipped\] insitu: .*\n {2}\[output-skipped\] insitu: /);
    assertNothingLeft(dir, tmp, ['lenient']);
  });
});

describe('bad-input matrix: other', () => {
  it('--version prints the package version; validate takes several files and a quoted glob, reporting each', async () => {
    const { dir, tmp } = sandbox();
    const v = await soilscale({ tmp }, '--version');
    assert.equal(v.code, 0);
    assert.equal(v.stdout.trim(), VERSION);
    const r = await soilscale({ tmp }, 'validate', join(ROOT, 'pipelines', 'base*.json'), pipelineFixture('compare'), pipelineFixture('invalid'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /pipelines\/baseline\.json: valid \(4 nodes: scene → bilinear → vs_truth → vs_stations\)\n.*compare\.json: valid/);
    assert.match(r.stderr, /invalid\.json: invalid pipeline: 7 problems/);
    assertNothingLeft(dir, tmp, []);
  });
});
