/**
 * Run safety at the library level (issue 13): what `--overwrite` may replace, the output lock, warnings and
 * `strict`, empty products, misspelt output ports, multi-band outputs, param JSON. The CLI side (signals,
 * exit codes, files on disk) is in test/e2e/bad-input-matrix.test.ts.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { isSoilscaleError, type SoilscaleError } from '../../../core/index.js';
import { acquireRunLock, checkReplaceableRun, createWarningCollector, preparePipeline, runPipeline } from '../../../core/host.js';
import { checkValidatorTables } from '../../../core/pipeline/product-checks.js';
import { emptyRegistry, pipelineFixture, quiet, ROOT, tempDir, TEST_PLUGINS } from './helpers.js';

const SAFETY_PLUGINS = join(ROOT, 'dist', 'test', 'fixtures', 'plugins', 'run-safety-plugins.js');
const coarse = { $node: 'scene', output: 'sm_coarse' };
const target = { $node: 'scene', output: 'ndvi_1km' };

function pipeline(nodes: object, outputs: object, params: object = {}): object {
  return { schemaVersion: '1.0', id: 'p', plugins: [TEST_PLUGINS, SAFETY_PLUGINS], params, nodes: { scene: { uses: 'source:memory' }, ...nodes }, outputs };
}

const run = (p: string | object, out: string, options: { overwrite?: boolean; strict?: boolean; params?: Record<string, unknown> } = {}) =>
  runPipeline(p, { out, registry: emptyRegistry(), ...quiet, ...options });

async function rejection(p: Promise<unknown>): Promise<SoilscaleError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isSoilscaleError(e), `expected a SoilscaleError, got ${(e as Error)?.stack}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** Every entry of a folder, recursively, with contents: to prove a refusal changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length)] = readFileSync(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('--overwrite replaces only a complete earlier run', () => {
  it('refuses a folder of unrelated files, a foreign manifest, and a run folder with extra files; changes nothing', async () => {
    const dir = tempDir();
    const cases: [string, () => void, RegExp][] = [
      ['unrelated', () => writeFileSync(join(dir, 'unrelated', 'thesis.tex'), 'years of work'), /no manifest\.json/],
      ['foreign', () => writeFileSync(join(dir, 'foreign', 'manifest.json'), JSON.stringify({ format: 'npm', files: ['manifest.json'] })), /format "npm", not "soilscale-run-manifest"/],
    ];
    for (const [name, fill, found] of cases) {
      mkdirSync(join(dir, name));
      fill();
      const before = snapshot(join(dir, name));
      const e = await rejection(run(pipelineFixture('compare'), join(dir, name), { overwrite: true }));
      assert.equal(e.kind, 'usage');
      assert.match(e.message, new RegExp(`only replaces a complete earlier soilscale run; ${join(dir, name)} is not one`));
      assert.match(e.message, found);
      assert.deepEqual(snapshot(join(dir, name)), before);
    }
    // An earlier run the user has since added a file to is no longer only the run's.
    const runDir = join(dir, 'run');
    await run(pipelineFixture('compare'), runDir);
    writeFileSync(join(runDir, 'my-notes.txt'), 'keep me');
    const before = snapshot(runDir);
    const e = await rejection(run(pipelineFixture('compare'), runDir, { overwrite: true }));
    assert.match(e.message, /1 entry not written by that run: my-notes\.txt/);
    assert.deepEqual(snapshot(runDir), before);
    // Nothing beside the folders: no staging folder, no lock.
    assert.deepEqual(readdirSync(dir).sort(), ['foreign', 'run', 'unrelated']);
  });

  it('checkReplaceableRun accepts the folder a run wrote', async () => {
    const out = join(tempDir(), 'out');
    await run(pipelineFixture('basic'), out);
    assert.equal(await checkReplaceableRun(out), undefined);
  });

  it("refuses '', the current folder, its ancestors and the home folder, even with overwrite", async () => {
    for (const out of ['', '  ', '.', process.cwd(), dirname(process.cwd()), homedir(), '/']) {
      const e = await rejection(run(pipelineFixture('compare'), out, { overwrite: true }));
      assert.equal(e.kind, 'usage', out);
      assert.match(e.message, out.trim() === '' ? /the output folder is empty/ : /refusing to use .* as the output folder: it is (the current folder|an ancestor of the current folder|the home folder|the filesystem root)/);
    }
  });
});

describe('output lock', () => {
  it('a second claim on the same output fails naming the folder and the owner; release frees it', () => {
    const out = join(tempDir(), 'out');
    const lock = acquireRunLock(out);
    assert.throws(() => acquireRunLock(out), (e) => isSoilscaleError(e) && e.kind === 'usage' && e.message.includes(`another soilscale run is writing to ${out}`) && e.message.includes(`pid ${process.pid}`));
    lock.release();
    acquireRunLock(out).release();
    assert.deepEqual(readdirSync(dirname(out)), []);
  });

  it('a lock left by a process that is gone is stale and taken over', () => {
    const out = join(tempDir(), 'out');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${out}.lock`, JSON.stringify({ pid: Number(gone.stdout), host: hostname(), startedAt: '2026-01-01T00:00:00Z' }));
    const lock = acquireRunLock(out);
    assert.equal(JSON.parse(readFileSync(`${out}.lock`, 'utf8')).pid, process.pid);
    lock.release();
  });

  it('two runs started at once into the same new folder: one succeeds, the other fails clearly and replaces nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const results = await Promise.allSettled([run(pipelineFixture('compare'), out), run(pipelineFixture('compare'), out)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(failed.length, 1);
    assert.ok(isSoilscaleError(failed[0].reason) && failed[0].reason.kind === 'usage');
    assert.match(failed[0].reason.message, /another soilscale run is writing to|output folder is not empty/);
    assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).startedAt, ok[0].value.manifest.startedAt);
    assert.deepEqual(readdirSync(dir), ['out']);
  });
});

describe('warnings and strict', () => {
  it('a strict run with warnings fails (runtime), keeps nothing, and lists the warnings', async () => {
    const dir = tempDir();
    const e = await rejection(run(pipelineFixture('basic'), join(dir, 'out'), { strict: true }));
    assert.equal(e.kind, 'runtime');
    assert.match(e.message, /^--strict: the run raised 2 warnings/);
    assert.deepEqual(e.problems, [
      "[node-skipped] insitu: optional node skipped: input 'reference': node 'scene' has no output 'sm_insitu_1km' (outputs: scene, stations, sm_coarse, ndvi_1km, landcover, sm_truth_1km)",
      "[output-skipped] insitu: output 'insitu_metrics' not written: node 'insitu' was skipped (input 'reference': node 'scene' has no output 'sm_insitu_1km' (outputs: scene, stations, sm_coarse, ndvi_1km, landcover, sm_truth_1km))",
    ]);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a strict run without warnings succeeds', async () => {
    const r = await run(pipeline({ d: { uses: 'downscaler:test-scale', with: { coarse, target } } }, { sm: { $node: 'd' } }), join(tempDir(), 'out'), { strict: true });
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.manifest.warnings, []);
  });

  it('plugins warn through context.warn (the warning carries the node); a mostly masked product is a warning', async () => {
    // downscaler:test-nan with 60 % NaN per band (3 of 4 coarse pixels): its own warning, then the engine's.
    const r = await run(pipeline({ d: { uses: 'downscaler:test-nan', with: { coarse, nanShare: 0.6 } } }, { sm: { $node: 'd' } }), join(tempDir(), 'out'));
    assert.deepEqual(r.warnings, [
      { code: 'nan-injected', message: '60 % of every band set to NaN', node: 'd' },
      { code: 'product-mostly-masked', message: "output 'sm': 75.0 % of its values are NaN (above 50 %)", node: 'd' },
    ]);
    // nanShare 0.4 masks 2 of 4 pixels: 50 % is not above the threshold, so the plugin's warning only.
    const low = await run(pipeline({ d: { uses: 'downscaler:test-nan', with: { coarse, nanShare: 0.4 } } }, { sm: { $node: 'd' } }), join(tempDir(), 'out'));
    assert.deepEqual(low.warnings.map((w) => w.code), ['nan-injected']);
  });

  it('a validator table with no valid pair is a warning', () => {
    const w = createWarningCollector();
    const table = (n: number) => ({ kind: 'records' as const, columns: ['n', 'rmse'], rows: [{ n, rmse: null }] });
    checkValidatorTables(new Map([['summary', table(12)]]), w, 'v');
    assert.deepEqual(w.list(), []);
    checkValidatorTables(new Map([['summary', table(0)]]), w, 'v');
    assert.deepEqual(w.list(), [{ code: 'validator-no-pairs', message: "table 'summary': no valid product/reference pair, so its metrics are empty", node: 'v' }]);
  });
});

describe('empty and ambiguous outputs', () => {
  it('an all-NaN product fails the run and keeps nothing', async () => {
    const dir = tempDir();
    const e = await rejection(run(pipeline({ d: { uses: 'downscaler:test-nan', with: { coarse } } }, { sm: { $node: 'd' } }), join(dir, 'out')));
    assert.equal(e.kind, 'runtime');
    assert.match(e.message, /^outputs\.sm: output 'sm' of node 'd' is empty: all 20 values are NaN/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a misspelt output port is a validation error naming the node, the port and the closest output', async () => {
    const e = await rejection(preparePipeline(pipeline({ d: { uses: 'downscaler:test-scale', with: { coarse, target } } }, { sm: { $node: 'd', output: 'prodcut' } }), { registry: emptyRegistry() }));
    assert.equal(e.kind, 'usage');
    assert.deepEqual(e.problems, ["outputs.sm.output: node 'd' (downscaler:test-scale) has no output 'prodcut'; did you mean 'product'? (outputs: product, uncertainty, lower, upper, model)"]);
  });

  it("a misspelt source asset in the outputs map fails the run instead of dropping the output", async () => {
    const dir = tempDir();
    const e = await rejection(run(pipeline({}, { sm: { $node: 'scene', output: 'sm_corse' } }), join(dir, 'out')));
    assert.equal(e.kind, 'runtime');
    assert.match(e.message, /node 'scene' has no output 'sm_corse'; did you mean 'sm_coarse'\?/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a two-band product referenced without its band is an error; with the band it is that band', async () => {
    const fuse = { uses: 'fuser:test-bands', with: { coarse: [coarse], fine: [target] } };
    const e = await rejection(run(pipeline({ f: fuse }, { sm: { $node: 'f' } }), join(tempDir(), 'out')));
    assert.match(e.message, /node 'f' produced 2 bands as 'product'; name the band you mean \(expected one of product\.a, product\.b, found "product"\)/);
    const r = await run(pipeline({ f: fuse }, { b: { $node: 'f', output: 'product.b' } }), join(tempDir(), 'out'));
    const b = r.artifacts.get('b');
    assert.ok(b?.kind === 'series' && b.variable === 'b');
    const ndvi = b.values[0][5] - 1;
    assert.ok(Math.abs(ndvi - (0.2 + 0.005)) < 1e-6, String(ndvi)); // ndvi_1km pixel 5 on date 0 is 0.2 + 0.001·5
  });

  it('a two-band raster given to a series input is an error naming the bands, not its first band', async () => {
    const nodes = { r: { uses: 'transform:test-raster', with: { input: coarse } }, d: { uses: 'downscaler:test-scale', with: { coarse: { $node: 'r', output: 'output' }, target } } };
    const e = await rejection(run(pipeline(nodes, { sm: { $node: 'd' } }), join(tempDir(), 'out')));
    assert.equal(e.kind, 'runtime');
    assert.match(e.message, /nodes\.d\.with\.coarse: a 2-band raster given to a series input would keep only its first band \(expected a single-band raster or a series, found bands vv, vh\)/);
  });
});

describe('params given as text', () => {
  it('a run seed that is not an integer is refused (the manifest would record null)', async () => {
    const e = await rejection(runPipeline(pipelineFixture('compare'), { out: join(tempDir(), 'out'), registry: emptyRegistry(), seed: Number('abc'), ...quiet }));
    assert.equal(e.message, 'seed: the run seed must be an integer (expected an integer, found NaN)');
  });

  it('an object param that is not valid JSON says so, with the parse position', async () => {
    const doc = pipeline({}, {}, { demo: { type: 'object', default: {} } });
    const e = await rejection(preparePipeline(doc, { registry: emptyRegistry(), params: { demo: '{"days":20' } }));
    assert.equal(e.problems.length, 1);
    assert.match(e.problems[0], /^params\.demo \(given\): invalid JSON \(expected a JSON object\): .*position 10.*, got "\{\\"days\\":20"$/);
  });
});
