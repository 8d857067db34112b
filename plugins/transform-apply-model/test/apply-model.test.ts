import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createGrid, createMemoryLogger, createRng, createPluginContext, isSoilscaleError, makeSeries, type PluginContext, type RecordTable, type Series } from '../../../core/index.js';
import { runPipeline, writeArtifact, type RunManifest } from '../../../host/index.js';
import { tempDir } from '../../../test/core/pipeline/helpers.js';
import { regressionDownscaler } from '../../downscaler-regression/index.js';
import { linearRegressor } from '../../regressor-linear/index.js';
import { rfPlugin } from '../../regressor-rf/index.js';
import { applySavedModel } from '../src/apply-model.js';
import { applyModelTransform } from '../index.js';

/** y = 0.1 + 0.5·a − 0.2·b on 30 rows (a, b from a fixed pattern), so a linear fit recovers it. */
function writeCsv(dir: string): string {
  const lines = ['id,a,b,y'];
  for (let i = 0; i < 30; i++) {
    const a = (i * 7) % 11;
    const b = (i * 5) % 13;
    lines.push(`r${i},${a},${b},${0.1 + 0.5 * a - 0.2 * b}`);
  }
  const path = join(dir, 'rows.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const context = (): PluginContext => {
  const c: PluginContext = createPluginContext({ instantiate: async (spec) => (await linearRegressor.create(spec.with ?? {}, c)) as never });
  return c;
};

describe('--save-models and transform:apply-model', { concurrency: 1 }, () => {
  let dir: string;
  let csv: string;
  let modelPath: string;
  let manifest: RunManifest;
  before(async () => {
    dir = tempDir();
    csv = writeCsv(dir);
    const r = await runPipeline(
      {
        schemaVersion: '1.0',
        id: 'fit',
        nodes: {
          rows: { uses: 'source:csv', with: { path: csv } },
          fit: { uses: 'model:table', with: { table: { $node: 'rows' }, regressor: { uses: 'regressor:linear' }, target: 'y', features: ['a', 'b'], split: { kfold: 3 } } },
        },
        outputs: { metrics: { $node: 'fit', output: 'metrics' } },
      },
      { out: join(dir, 'run'), logger: createMemoryLogger(), report: false, saveModels: true },
    );
    manifest = r.manifest;
    modelPath = join(r.outDir, 'models', 'fit.model.json');
  });

  it('--save-models writes the node\'s model under models/ and lists it in the manifest', () => {
    assert.deepEqual(manifest.models, { fit: ['models/fit.model.json'] });
    assert.ok(manifest.files.includes('models/fit.model.json'));
    assert.equal(JSON.parse(readFileSync(modelPath, 'utf8')).pluginId, 'regressor:linear');
  });

  it('applies the saved model to a table without refitting (the fitted relation, to 1e-5)', async () => {
    const r = await runPipeline(
      {
        schemaVersion: '1.0',
        id: 'apply',
        nodes: { rows: { uses: 'source:csv', with: { path: csv } }, apply: { uses: 'transform:apply-model', with: { path: modelPath, table: { $node: 'rows' } } } },
        outputs: { predictions: { $node: 'apply', output: 'predictions' } },
      },
      { out: join(dir, 'apply'), logger: createMemoryLogger(), report: false },
    );
    const p = r.artifacts.get('predictions') as RecordTable;
    assert.equal(p.rows.length, 30);
    for (const row of p.rows) assert.ok(Math.abs((row.predicted as number) - (row.y as number)) < 1e-5, `${String(row.id)}: ${String(row.predicted)} vs ${String(row.y)}`);
  });

  it('applies it to rasters pixel by pixel: a pixel missing a predictor is NaN, a static predictor serves every date', async () => {
    const grid = createGrid(3, 2, [0, 1, 0, 2, 0, -1], 'EPSG:4326');
    const a: Series = makeSeries({ variable: 'a', grid, dates: ['2018-01-01', '2018-01-02'], values: [Float32Array.of(0, 1, 2, 3, 4, Number.NaN), Float32Array.of(5, 6, 7, 8, 9, 10)] });
    const b: Series = makeSeries({ variable: 'b', grid, dates: [], values: [Float32Array.of(1, 2, 3, 4, 5, 6)] });
    const params = { path: modelPath, dateColumn: 'date', tilePixels: 1024 };
    const r = (await applySavedModel({ predictors: { a, b } as never }, params, context())) as unknown as { product: Series };
    assert.deepEqual(r.product.dates, ['2018-01-01', '2018-01-02']);
    r.product.values.forEach((day, d) =>
      day.forEach((v, p) => {
        const x = a.values[d][p];
        if (Number.isNaN(x)) return assert.ok(Number.isNaN(v), `pixel ${p} day ${d}`);
        assert.ok(Math.abs(v - (0.1 + 0.5 * x - 0.2 * b.values[0][p])) < 1e-5, `pixel ${p} day ${d}: ${v}`);
      }),
    );
  });

  it('clear errors: a missing feature, a file that is not a model, a version the plugin cannot read, a missing binary part', async () => {
    const message = async (path: string, predictors: Record<string, Series>) => {
      try {
        await applySavedModel({ predictors: predictors as never }, { path, dateColumn: 'date', tilePixels: 1024 }, context());
      } catch (e) {
        assert.ok(isSoilscaleError(e), String(e));
        return e.message;
      }
      return 'no error';
    };
    const grid = createGrid(1, 1, [0, 1, 0, 1, 0, -1], 'EPSG:4326');
    const one = (variable: string) => makeSeries({ variable, grid, dates: [], values: [Float32Array.of(1)] });
    assert.match(await message(modelPath, { a: one('a') }), /the model's features b are not among the predictors/);
    const notModel = join(dir, 'not-model.json');
    writeFileSync(notModel, JSON.stringify({ schemaVersion: '1.0', id: 'a pipeline' }));
    assert.match(await message(notModel, { a: one('a'), b: one('b') }), /not-model\.json: format: not a soilscale model \(expected "soilscale-model", found "object"\)/);
    const newer = join(dir, 'newer.model.json');
    writeFileSync(newer, JSON.stringify({ ...JSON.parse(readFileSync(modelPath, 'utf8')), pluginVersion: '9.0.0' }));
    assert.match(await message(newer, { a: one('a'), b: one('b') }), /newer\.model\.json: the saved model cannot be loaded: .*saved by regressor:linear 9\.0\.0 cannot be read by version 1\./);
    const broken = join(dir, 'broken.model.json');
    writeFileSync(broken, JSON.stringify({ ...JSON.parse(readFileSync(modelPath, 'utf8')), binary: { w: { file: 'gone.bin', type: 'Float32Array', length: 3 } } }));
    assert.match(await message(broken, { a: one('a'), b: one('b') }), /gone\.bin: binary\.w: a binary part of the model is missing/);
  });

  it('applies downscaler:regression\'s saved model: its regression, as the downscaler predicts without residual correction', async () => {
    const coarseGrid = createGrid(3, 3, [500000, 4000, 0, 4212000, 0, -4000], 'EPSG:32633');
    const fine = createGrid(12, 12, [500000, 1000, 0, 4212000, 0, -1000], 'EPSG:32633');
    const dates = ['2023-06-01', '2023-06-02', '2023-06-03'];
    const rng = createRng(3);
    const field = (n: number, base: number, spread: number) => Float32Array.from({ length: n }, () => base + spread * rng.next());
    const input = {
      coarse: makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: dates.map(() => field(9, 0.15, 0.2)) }),
      predictors: {
        ndvi: makeSeries({ variable: 'ndvi', grid: fine, dates, values: dates.map(() => field(144, 0.2, 0.6)) }),
        dem: makeSeries({ variable: 'dem', grid: fine, dates: [], values: [field(144, 100, 400)] }),
      },
    };
    const c: PluginContext = createPluginContext({ seed: 4, instantiate: async (spec) => (await rfPlugin.create(spec.with ?? {}, c)) as never });
    const params = { regressor: { uses: 'regressor:rf', with: { trees: 5 } }, residualCorrection: 'none', dateFeatures: 'doy', cv: { scheme: 'none' }, importance: false, gapFill: 'none' } as const;
    const { product, model } = await (await regressionDownscaler.create(params, c)).downscale(input);
    const out = tempDir();
    await writeArtifact(out, 'down', model!);
    const applied = (await applySavedModel({ predictors: input.predictors as never }, { path: join(out, 'down.model.json'), dateColumn: 'date', tilePixels: 1024 }, c)) as unknown as { product: Series };
    assert.deepEqual(applied.product.dates, dates);
    assert.deepEqual(applied.product.values, product.values);
  });

  it('refuses to run with neither predictors nor a table', async () => {
    const t = await applyModelTransform.create({ path: modelPath }, context());
    await assert.rejects(t.apply({}), /nothing to apply the model to \(expected predictors \(rasters\) or table, found neither\)/);
  });
});
