/**
 * The station-table workflow end to end on a small demo scene: pipelines/station-table.json from the
 * CLI with --save-models (scene → station table → RF vs linear, leave-station-out), then a saved model
 * applied to the scene's rasters and to the station table by transform:apply-model, which must agree
 * at every station-day (the loop from scene to table and back).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const DEMO = JSON.stringify({ days: 20, coarseCells: [3, 3], fineFactor: 11, stations: 15 });

interface Records {
  columns: string[];
  rows: Record<string, string | number | null>[];
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

function soilscale(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '1', SOILSCALE_DEBUG: '' } });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

describe('station-table workflow (demo scene)', { concurrency: 1 }, () => {
  let out: string;
  let stdout: string;
  before(() => {
    out = join(tempDir(), 'stations');
    stdout = soilscale('run', 'pipelines/station-table.json', '--out', out, '--quiet', '--save-models', '--param', `demo=${DEMO}`, '--param', 'trees=20').stdout;
  });

  it('compares RF and linear on one table with a method column; every station is held out alone', () => {
    const metrics = readJson<Records>(join(out, 'metrics.json'));
    assert.equal(metrics.columns[0], 'method');
    assert.deepEqual(metrics.rows.filter((r) => r.scope === 'all').map((r) => r.method), ['rf', 'linear']);
    const predictions = readJson<Records>(join(out, 'predictions.json'));
    assert.ok(predictions.rows.length > 0 && predictions.rows.every((r) => r.fold === r.station));
    const table = readJson<Records>(join(out, 'table.json'));
    // Each method predicts once every row of the station table with the target and all five features.
    const complete = table.rows.filter((r) => ['sm', 'sm_coarse', 'ndvi', 'lst', 'twi', 'clay'].every((c) => r[c] !== null));
    assert.ok(complete.length < table.rows.length, 'the demo has cloud gaps: some rows are incomplete');
    assert.equal(predictions.rows.filter((r) => r.method === 'rf').length, complete.length);
  });

  it('--save-models saves both fitted models under models/ and says so', () => {
    const manifest = readJson<{ models: Record<string, string[]> }>(join(out, 'manifest.json'));
    assert.deepEqual(Object.keys(manifest.models), ['fit']);
    assert.ok(manifest.models.fit.includes('models/fit-rf.model.json') && manifest.models.fit.includes('models/fit-linear.model.json'));
    assert.match(stdout, /saved 1 model into models\/: fit \(models\/fit-rf\.model\.json, …\)/);
  });

  it('the saved RF applied to the rasters equals, at every station-day, the RF applied to the station table', () => {
    const applyOut = join(tempDir(), 'apply');
    const model = join(out, 'models', 'fit-rf.model.json');
    const features = { sm_coarse: 'sm_coarse', ndvi: 'ndvi_1km', lst: 'lst_1km', twi: 'twi_1km', clay: 'clay_1km' };
    const predictors = Object.fromEntries(Object.entries(features).map(([k, key]) => [k, { $node: 'scene', output: key }]));
    const pipeline = {
      schemaVersion: '1.0',
      id: 'apply-saved',
      nodes: {
        scene: { uses: 'source:stac', with: { path: 'demo', demo: JSON.parse(DEMO) } },
        samples: { uses: 'transform:sample-at-stations', with: { stations: { $node: 'scene', output: 'stations' }, predictors } },
        onTable: { uses: 'transform:apply-model', with: { path: model, table: { $node: 'samples', output: 'table' } } },
        onRasters: { uses: 'transform:apply-model', with: { path: model, predictors } },
        back: { uses: 'transform:sample-at-stations', with: { stations: { $node: 'scene', output: 'stations' }, predictors: { rf: { $node: 'onRasters', output: 'product' } } } },
      },
      outputs: { onTable: { $node: 'onTable', output: 'predictions' }, back: { $node: 'back', output: 'table' } },
    };
    const file = join(tempDir(), 'apply.json');
    writeFileSync(file, JSON.stringify(pipeline));
    soilscale('run', file, '--out', applyOut, '--quiet');
    const onTable = readJson<Records>(join(applyOut, 'onTable.json'));
    const back = new Map(readJson<Records>(join(applyOut, 'back.json')).rows.map((r) => [`${r.station} ${r.date}`, r.rf]));
    assert.ok(onTable.rows.length > 50);
    for (const r of onTable.rows) {
      const key = `${r.station} ${r.date}`;
      if (r.predicted === null) continue; // a predictor missing at the station that day: NaN on both sides
      assert.equal(back.get(key), r.predicted, key);
    }
  });
});

