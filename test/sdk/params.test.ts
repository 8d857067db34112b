import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPluginContext, createWorkerPool, isSoilscaleError, resolveParams, type Regressor, type Table } from '../../core/index.js';
import { gbdtPlugin, linearRegressor, rfPlugin, svrPlugin } from '../../plugins/index.js';
import { rmse, smoothSurface, uniformTable } from '../support/regressor-fixtures.js';

/**
 * Issue 13: a plugin's `create()` called directly (library use) goes through `resolveParams` like the
 * CLI and the pipeline do: defaults from the schema filled in, invalid params a clear error.
 */
const context = () => createPluginContext({ seed: 3, workers: createWorkerPool(1) });
const linearTarget = (x: Float32Array, o: number): number => 2 * x[o] - 3 * x[o + 1] + 1;

async function predictions(regressor: Regressor, train: Table, test: Table): Promise<Float32Array> {
  const model = await regressor.fit(train);
  return (await model.predict(test)).mean;
}

/** The defaults written in the schema itself, read without resolveParams (what `{}` must become). */
function schemaDefaultsOf(manifest: { params: { properties: Record<string, { default?: unknown }> } }): Record<string, unknown> {
  return Object.fromEntries(Object.entries(manifest.params.properties).filter(([, s]) => 'default' in s).map(([k, s]) => [k, s.default]));
}

describe('resolveParams', () => {
  it('fills every schema default and keeps given values', () => {
    const p = resolveParams<Record<string, unknown>>(rfPlugin, { trees: 7 });
    assert.deepEqual(p, { ...schemaDefaultsOf(rfPlugin), trees: 7 });
  });

  it('reports path, expected and found for each problem', () => {
    assert.throws(
      () => resolveParams(rfPlugin, { trees: 'many', minLeaf: 0 }),
      (e: unknown) => {
        assert.ok(isSoilscaleError(e) && e.kind === 'usage');
        assert.deepEqual(e.problems, ['regressor:rf.trees: must be integer >= 1 <= 100000, got "many"', 'regressor:rf.minLeaf: must be integer >= 1, got 0']);
        return true;
      },
    );
    assert.throws(() => resolveParams(rfPlugin, { tree: 5 }), /regressor:rf\.tree: unknown param \(expected one of: trees, /);
  });

  it('rejects a non-object', () => {
    assert.throws(() => resolveParams(linearRegressor, 5), /regressor:linear: must be object, got 5/);
  });
});

describe('create() from a script resolves its params (issue 13)', () => {
  const train = uniformTable(300, 2, 11, linearTarget);
  const test = uniformTable(50, 2, 12, linearTarget);

  it('regressor:linear with {} fits the defaults (not an all-zero model)', async () => {
    const p = await predictions(await linearRegressor.create({}, context()), train, test);
    assert.ok(rmse(p, test.y!) < 1e-4, `rmse ${rmse(p, test.y!)}`);
  });

  it('regressor:gbdt with {} is the schema-default model', async () => {
    const small = uniformTable(200, 2, 5, smoothSurface);
    const fromEmpty = await predictions(await gbdtPlugin.create({}, context()), small, test);
    const explicit = await predictions(await gbdtPlugin.create(schemaDefaultsOf(gbdtPlugin) as never, context()), small, test);
    assert.deepEqual(fromEmpty, explicit);
    assert.ok(rmse(fromEmpty, Float32Array.from({ length: test.rows }, (_, r) => smoothSurface(test.x, 2 * r))) < 0.25);
  });

  it('regressor:svr with {C, epsilon} standardises and uses gamma "scale" like the full defaults', async () => {
    const fromPartial = await predictions(await svrPlugin.create({ C: 10, epsilon: 0.01 }, context()), train, test);
    const explicit = await predictions(await svrPlugin.create({ ...schemaDefaultsOf(svrPlugin), C: 10, epsilon: 0.01 } as never, context()), train, test);
    assert.deepEqual(fromPartial, explicit);
    assert.ok(rmse(fromPartial, test.y!) < 0.05, `rmse ${rmse(fromPartial, test.y!)}`);
  });

  it('the CLI goes through the same step (synth --options)', async () => {
    const { main } = await import('../../cli/main.js');
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['synth', '--out', join(tmpdir(), 'soilscale-never-written'), '--options', '{"days": 0, "climate": "tropical"}']);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(code, 2);
    assert.deepEqual(written.join('').split('\n').filter(Boolean), [
      "error: invalid params for plugin 'source:synthetic': 2 problems",
      '  --options.days: must be integer >= 1 <= 3660, got 0',
      '  --options.climate: must be one of "semi-arid", "humid", got "tropical"',
    ]);
  });

  it('invalid params are a usage error before anything runs', async () => {
    await assert.rejects(gbdtPlugin.create({ rounds: 0 }, context()), /invalid params for plugin 'regressor:gbdt': regressor:gbdt\.rounds: must be integer >= 1 <= 100000, got 0/);
    await assert.rejects(svrPlugin.create({ kernel: 'rbff' } as never, context()), /regressor:svr\.kernel: must be one of "rbf", "linear", "polynomial", got "rbff"/);
  });
});
