/**
 * The source of a scaffolded plugin per kind (`soilscale plugin init <kind> <name>`): a small working
 * method, its test (the conformance suite of `soilscale/testing` plus one check of what it computes),
 * each written for a package that imports only the `soilscale` entries.
 */
export interface PluginTemplate {
  /** `src/index.ts`: the manifest, built with definePlugin. `__ID__` is replaced by the plugin id. */
  readonly index: string;
  /** `test/plugin.test.ts`. */
  readonly test: string;
  /** One line for the README: what the scaffold does. */
  readonly summary: string;
}

const header = (what: string) => `/**\n * __ID__ — ${what}\n * Scaffolded by \`soilscale plugin init\`: replace the method, keep the contract (see README.md).\n */\n`;

export const TEMPLATES: Readonly<Record<'transform' | 'regressor' | 'downscaler' | 'validator', PluginTemplate>> = {
  transform: {
    summary: 'multiplies a series by a factor (NaN stays NaN)',
    index: `${header('multiplies a series by `factor`.')}import { definePlugin, type Series } from 'soilscale';

const schema = {
  type: 'object',
  properties: { factor: { type: 'number', default: 2, description: 'Multiplier.' } },
  additionalProperties: false,
} as const;

export const plugin = definePlugin({
  id: '__ID__',
  version: '0.1.0',
  title: '__NAME__',
  description: 'Multiplies a series by a factor.',
  params: schema,
  inputs: { series: { type: 'series', required: true, description: 'the series to scale' } },
  outputs: { scaled: { type: 'series', description: 'the scaled series' } },
  create: (params) => ({
    async apply(inputs) {
      const s = inputs.series as Series;
      return { scaled: { ...s, values: s.values.map((v) => v.map((x) => x * params.factor)) } };
    },
  }),
});

export default plugin;
`,
    test: `import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createGrid, createPluginContext, makeSeries, type Series } from 'soilscale';
import { conformanceProblems } from 'soilscale/testing';
import { plugin } from '../src/index.js';

const grid = createGrid(2, 1, [0, 1, 0, 1, 0, -1], 'EPSG:4326');
const series = makeSeries({ variable: 'sm', grid, dates: ['2024-01-01'], values: [Float32Array.of(0.25, Number.NaN)] });

test('conforms (soilscale/testing)', async () => {
  assert.deepEqual(await conformanceProblems(plugin, { run: (t) => (t as { apply(i: object): Promise<unknown> }).apply({ series }) }), []);
});

test('scales by the factor; NaN stays NaN', async () => {
  const t = await plugin.create({ factor: 3 }, createPluginContext());
  const { scaled } = (await t.apply({ series })) as { scaled: Series };
  assert.equal(scaled.values[0][0], 0.75);
  assert.ok(Number.isNaN(scaled.values[0][1]));
});
`,
  },
  regressor: {
    summary: 'least squares on the first feature (fit, predict, save, load)',
    index: `${header('least squares on the first feature: y = a + b·x0.')}import { checkSavedModel, createSavedModel, definePlugin, usageError, type FittedRegressor, type Table } from 'soilscale';

const ID = '__ID__';
const VERSION = '0.1.0';

const schema = { type: 'object', properties: {}, additionalProperties: false } as const;

function fitted(featureNames: readonly string[], a: number, b: number): FittedRegressor {
  return {
    featureNames,
    async predict(x: Table) {
      if (x.columns.join() !== featureNames.join()) throw usageError('the table has other columns than the model', { path: \`\${ID}.predict\`, expected: featureNames.join(', '), found: x.columns.join(', ') });
      const n = featureNames.length;
      return { mean: Float32Array.from({ length: x.rows }, (_, r) => a + b * x.x[r * n]) };
    },
    save: () => createSavedModel({ id: ID, version: VERSION }, { params: {}, featureNames, data: { a, b } }),
  };
}

export const plugin = definePlugin({
  id: ID,
  version: VERSION,
  title: '__NAME__',
  description: 'Least squares on the first feature.',
  params: schema,
  create: () => ({
    async fit(train: Table) {
      const y = train.y;
      if (!y) throw usageError('the training table has no target', { path: \`\${ID}.fit\`, expected: 'a table with y', found: 'no y' });
      const n = train.columns.length;
      let sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
      for (let r = 0; r < train.rows; r++) {
        const x = train.x[r * n];
        if (!Number.isFinite(x) || !Number.isFinite(y[r])) continue;
        sx += x; sy += y[r]; sxx += x * x; sxy += x * y[r]; m++;
      }
      const b = m > 1 && sxx - (sx * sx) / m > 0 ? (sxy - (sx * sy) / m) / (sxx - (sx * sx) / m) : 0;
      return fitted(train.columns, m ? (sy - b * sx) / m : Number.NaN, b);
    },
    async load(saved) {
      const model = checkSavedModel(saved, { id: ID, version: VERSION }, \`\${ID} model\`);
      const { a, b } = model.data as { a: number; b: number };
      return fitted(model.featureNames ?? [], a, b);
    },
  }),
});

export default plugin;
`,
    test: `import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createPluginContext, createTable } from 'soilscale';
import { conformanceProblems } from 'soilscale/testing';
import { plugin } from '../src/index.js';

test('conforms (soilscale/testing)', async () => {
  assert.deepEqual(await conformanceProblems(plugin), []);
});

test('recovers y = 1 + 2·x0', async () => {
  const t = createTable(['x0', 'x1'], 3, true);
  t.x.set([0, 5, 1, 5, 2, 5]);
  t.y = Float32Array.of(1, 3, 5);
  const model = await (await plugin.create({}, createPluginContext())).fit(t);
  assert.deepEqual(Array.from((await model.predict(t)).mean), [1, 3, 5]);
});
`,
  },
  downscaler: {
    summary: 'the coarse field resampled bilinearly to the fine grid (a baseline to build on)',
    index: `${header('the coarse field resampled bilinearly to the fine grid.')}import { definePlugin, downscaleCoarse, downscaleTarget, resampleSeries } from 'soilscale';

const schema = { type: 'object', properties: {}, additionalProperties: false } as const;

export const plugin = definePlugin({
  id: '__ID__',
  version: '0.1.0',
  title: '__NAME__',
  description: 'The coarse soil moisture resampled bilinearly to the fine grid.',
  params: schema,
  create: () => ({
    async downscale(input) {
      const coarse = downscaleCoarse(input, '__ID__');
      return { product: resampleSeries(coarse, downscaleTarget(input, '__ID__'), 'bilinear') };
    },
  }),
});

export default plugin;
`,
    test: `import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createGrid, createPluginContext, makeSeries } from 'soilscale';
import { conformanceProblems } from 'soilscale/testing';
import { plugin } from '../src/index.js';

test('conforms (soilscale/testing)', async () => {
  assert.deepEqual(await conformanceProblems(plugin), []);
});

test('a uniform coarse field stays uniform on the fine grid', async () => {
  const coarse = makeSeries({ variable: 'sm', grid: createGrid(2, 2, [0, 4, 0, 8, 0, -4], 'EPSG:32633'), dates: ['2024-01-01'], values: [new Float32Array(4).fill(0.3)] });
  const target = createGrid(8, 8, [0, 1, 0, 8, 0, -1], 'EPSG:32633');
  const { product } = await (await plugin.create({}, createPluginContext())).downscale({ coarse, predictors: {}, target });
  assert.ok(product.values[0].every((v) => Math.abs(v - 0.3) < 1e-6));
});
`,
  },
  validator: {
    summary: 'mean bias of a product against a reference, over pixels valid in both',
    index: `${header('mean bias of a product against a reference.')}import { definePlugin, pairedMetrics, recordTable, type Series } from 'soilscale';

const schema = { type: 'object', properties: {}, additionalProperties: false } as const;

export const plugin = definePlugin({
  id: '__ID__',
  version: '0.1.0',
  title: '__NAME__',
  description: 'Mean bias (product − reference) per date and pooled, over pixels valid in both.',
  params: schema,
  inputs: {
    product: { type: 'series', required: true, description: 'the product to validate' },
    reference: { type: 'series', required: true, description: 'reference series (e.g. truth)' },
  },
  outputs: { bias: { type: 'records', description: 'bias and n per date' } },
  create: () => ({
    async validate(input) {
      const product = input.product as Series;
      const reference = input.reference as Series;
      const rows = product.dates.map((date, i) => {
        const k = reference.dates.indexOf(date);
        const m = pairedMetrics(product.values[i], k >= 0 ? reference.values[k] : new Float32Array(product.values[i].length).fill(Number.NaN));
        return { date, n: m.n, bias: Number.isFinite(m.bias) ? m.bias : null };
      });
      return { tables: { bias: recordTable(rows, ['date', 'n', 'bias']) } };
    },
  }),
});

export default plugin;
`,
    test: `import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createGrid, createPluginContext, makeSeries } from 'soilscale';
import { conformanceProblems } from 'soilscale/testing';
import { plugin } from '../src/index.js';

const grid = createGrid(2, 1, [0, 1, 0, 1, 0, -1], 'EPSG:4326');
const product = makeSeries({ variable: 'sm', grid, dates: ['2024-01-01'], values: [Float32Array.of(0.3, Number.NaN)] });
const reference = makeSeries({ variable: 'sm', grid, dates: ['2024-01-01'], values: [Float32Array.of(0.25, 0.2)] });

test('conforms (soilscale/testing)', async () => {
  assert.deepEqual(await conformanceProblems(plugin, { run: (v) => (v as { validate(i: object): Promise<unknown> }).validate({ product, reference }) }), []);
});

test('bias over the pixels valid in both', async () => {
  const { tables } = await (await plugin.create({}, createPluginContext())).validate({ product, reference });
  assert.deepEqual(tables.bias.rows, [{ date: '2024-01-01', n: 1, bias: Math.fround(0.3) - Math.fround(0.25) }]);
});
`,
  },
};
