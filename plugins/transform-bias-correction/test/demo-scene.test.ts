import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPluginContext, createWorkerPool, readStacScene, type AnyPluginManifest, type PluginContext, type PluginSpec, type Series } from '../../../core/index.js';
import { regressionDownscaler } from '../../downscaler-regression/index.js';
import { resnetDownscaler } from '../../downscaler-resnet/index.js';
import { bpnnPlugin } from '../../regressor-bpnn/index.js';
import { cnnGruPlugin } from '../../regressor-cnn-gru/index.js';
import { writeSyntheticScene } from '../../source-synthetic/index.js';
import { biasCorrectionTransform } from '../index.js';

// The four neural/calibration plugins on the synthetic demo scene, with tiny sizes (speed is not
// tested here): each runs end to end and gives a product on the fine grid.
const dir = mkdtempSync(join(tmpdir(), 'soilscale-nn-demo-'));
const scenePromise = writeSyntheticScene({ days: 6, start: '2023-06-01', coarseCells: [4, 4], coarseFactor: 6, fineFactor: 3, stations: 15, seed: 3 }, dir).then(({ catalogPath }) => readStacScene(catalogPath));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const defaults = (m: AnyPluginManifest) => Object.fromEntries(Object.entries((m.params.properties ?? {}) as Record<string, { default?: unknown }>).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]));

function context(): PluginContext {
  const ctx: PluginContext = createPluginContext({
    seed: 2,
    workers: createWorkerPool(1),
    async instantiate(spec: PluginSpec) {
      const m = [bpnnPlugin, cnnGruPlugin].find((p) => p.id === spec.uses) as AnyPluginManifest | undefined;
      if (!m) throw new Error(`unknown ${spec.uses}`);
      return (await m.create({ ...defaults(m), ...(spec.with ?? {}) }, ctx)) as never;
    },
  } as Parameters<typeof createPluginContext>[0]);
  return ctx;
}

async function inputs() {
  const scene = await scenePromise;
  const predictors: Record<string, Series> = {};
  for (const v of ['ndvi', 'lst', 'precip', 'dem']) predictors[v] = await scene.load(`${v}_1km`);
  return { coarse: await scene.load('sm_coarse'), predictors, stations: (await scene.stations())! };
}

const finite = (s: Series) => s.values.reduce((n, v) => n + v.filter((x) => Number.isFinite(x)).length, 0);

for (const regressor of [
  { uses: 'regressor:bpnn', with: { hidden: [8, 8], maxEpochs: 20, seed: 1 } },
  { uses: 'regressor:cnn-gru', with: { steps: 3, epochs: 3, convFilters: 4, gruUnits: 4, denseUnits: 4, seed: 1 } },
]) {
  test(`demo scene: downscaler:regression with ${regressor.uses}`, async () => {
    const { coarse, predictors } = await inputs();
    const ds = await regressionDownscaler.create({ ...defaults(regressionDownscaler), regressor, cv: { scheme: 'none', folds: 2, blockSize: 2 }, importance: false } as never, context());
    const { product } = await ds.downscale({ coarse, predictors });
    assert.equal(product.dates.length, coarse.dates.length);
    assert.ok(finite(product) > 0.5 * product.values.length * product.values[0].length, 'most fine pixels predicted');
  });
}

test('demo scene: downscaler:resnet, then transform:bias-correction with leave-stations-out metrics', async () => {
  const { coarse, predictors, stations } = await inputs();
  const ds = await resnetDownscaler.create({ ...defaults(resnetDownscaler), epochs: 3, filters: 6, blocks: 1, patchSize: 4, patchStride: 2, seed: 1 } as never, context());
  const { product } = await ds.downscale({ coarse, predictors });
  assert.ok(finite(product) > 0.5 * product.values.length * product.values[0].length);
  const bc = await biasCorrectionTransform.create({ radius: 1, folds: 5, ridge: 0.01, seed: 3 }, context());
  const out = (await bc.apply({ product, stations })) as unknown as { product: Series; tables: { loso: { rows: Record<string, unknown>[] } } };
  const rows = out.tables.loso.rows;
  const folds = rows.filter((r) => r.level === 'fold');
  const perStation = rows.filter((r) => r.level === 'station');
  assert.equal(folds.length, 5);
  assert.ok(perStation.length >= 10, `${perStation.length} stations`);
  const all = rows.find((r) => r.level === 'all')!;
  assert.ok(Number.isFinite(all.rmse as number) && Number.isFinite(all.rawRmse as number));
  // Every station is held out in exactly one fold, and its fold's model never saw it.
  const held = folds.flatMap((f) => String(f.station).split(' '));
  assert.equal(new Set(held).size, held.length);
  assert.equal(held.length, perStation.length);
  assert.equal(out.product.values.length, product.values.length);
});
