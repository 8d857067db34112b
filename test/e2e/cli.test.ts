import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pipelineFixture, ROOT, tempDir } from '../core/pipeline/helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function soilscale(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1', SOILSCALE_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('soilscale CLI', () => {
  it('run: exit 0, standard layout, manifest fields; tsyringe plugin loaded through "plugins"', () => {
    const out = join(tempDir(), 'run');
    const r = soilscale('run', pipelineFixture('basic'), '--out', out, '--param', 'factor=2', '--quiet');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote \d+ files to/);
    assert.ok(existsSync(join(out, 'sm_1km', '2024-07-15.tif')));
    assert.ok(existsSync(join(out, 'scaled', '2024-07-15.tif')));
    assert.ok(existsSync(join(out, 'metrics.csv')) && existsSync(join(out, 'metrics.json')));
    assert.ok(existsSync(join(out, 'model.model.json')));
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    for (const k of ['soilscaleVersion', 'nodeVersion', 'pipeline', 'params', 'nodes', 'inputs', 'outputs', 'startedAt', 'finishedAt']) assert.ok(k in m, k);
    assert.equal(m.nodeVersion, process.version);
    assert.equal(m.params.factor, 2);
    assert.equal(m.pipeline.document.id, 'basic');
    const scaled = m.nodes.find((n: { id: string }) => n.id === 'scaled');
    assert.deepEqual([scaled.plugin, scaled.version, scaled.params], ['transform:scale-offset', '2.0.0', { scale: 2, offset: 0.5 }]);
    // The GeoTIFF is a real one: gdalinfo (installed in CI) can read its size.
    const info = spawnSync('gdalinfo', ['-json', join(out, 'sm_1km', '2024-07-15.tif')], { encoding: 'utf8' });
    if (info.status === 0) assert.deepEqual(JSON.parse(info.stdout).size, [8, 8]);
  });

  it('run: a failing node exits 1 and leaves no output folder and no staging folder', () => {
    const dir = tempDir();
    const r = soilscale('run', pipelineFixture('failing'), '--out', join(dir, 'out'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: node 'boom' \(downscaler:test-fail\) failed: deliberate failure/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(readdirSync(dir), []);
  });

  it('invalid pipeline, malformed JSON, missing file, bad --param, non-empty --out: exit 2, one line per problem', () => {
    const v = soilscale('validate', pipelineFixture('invalid'));
    assert.equal(v.code, 2);
    const lines = v.stderr.trim().split('\n');
    assert.match(lines[0], /^error: .*invalid\.json: invalid pipeline: 7 problems/);
    assert.ok(lines.includes('  nodes.stage1.with.trees: must be integer >= 1, got "many"'), v.stderr);
    assert.doesNotMatch(v.stderr, /\n\s+at /);

    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{ "schemaVersion": "1.0", ');
    const j = soilscale('validate', join(dir, 'bad.json'));
    assert.equal(j.code, 2);
    assert.match(j.stderr, /bad\.json: line 1, column \d+: malformed JSON/);

    assert.equal(soilscale('run', join(dir, 'missing.json'), '--out', join(dir, 'o')).code, 2);
    const p = soilscale('run', pipelineFixture('basic'), '--out', join(dir, 'o'), '--param', 'factor=lots');
    assert.equal(p.code, 2);
    assert.match(p.stderr, /params\.factor \(given\): must be number, got "lots"/);

    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'x'), '');
    const o = soilscale('run', pipelineFixture('basic'), '--out', full);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /output folder is not empty/);
    assert.equal(soilscale('frobnicate').code, 2);
  });

  it('validate, plugins list/describe, schema --check', () => {
    assert.equal(soilscale('validate', pipelineFixture('compare')).code, 0);
    const list = soilscale('plugins', 'list');
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^source:stac\s+1\.0\.0\s+STAC scene$/m);
    const d = soilscale('plugins', 'describe', 'source:stac');
    assert.equal(d.code, 0);
    assert.match(d.stdout, /path \(string\)/);
    const unknown = soilscale('plugins', 'describe', 'source:stak');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /did you mean 'source:stac'/);
    assert.equal(soilscale('schema', '--check').code, 0);
  });
});
