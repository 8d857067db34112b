import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { isSoilscaleError } from '../errors.js';
import { readSavedModelFile } from '../io/saved-model-file.js';
import { createGrid, type Grid } from '../model/grid.js';
import { makeSeries, type Series } from '../model/series.js';
import { createTable, type Table } from '../model/table.js';
import { writeArtifact } from '../pipeline/outputs.js';
import { createPluginContext } from '../plugin/context.js';
import type { DownscaleInput, KindInterfaces, PluginKind } from '../plugin/kinds.js';
import { pluginKindOf, type AnyPluginManifest, type PluginContext } from '../plugin/manifest.js';
import { resolveParams } from '../plugin/params.js';
import { createRegistry } from '../plugin/registry.js';
import { createRng } from '../util/random.js';
import { manifestProblems } from './index.js';

/** What a plugin is exercised with; every field has a small default for the kinds that have one. */
export interface ConformanceFixture {
  /** Params given to `create` (default `{}`: the schema's defaults). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Plugins the plugin instantiates through its context (a downscaler's nested regressor). */
  readonly nested?: readonly AnyPluginManifest[];
  /** regressor: the training table (default: 80 seeded rows of y = f(x0, x1, x2) + noise). */
  readonly table?: Table;
  /** downscaler: the input (default: 3 × 3 coarse cells, 4 × 4 fine pixels each, 3 dates, predictors ndvi, lst, dem). */
  readonly downscale?: DownscaleInput;
  /** Any kind: exercise the plugin; from the same seed its result must be the same (deep-equal). */
  readonly run?: (plugin: KindInterfaces[PluginKind], context: PluginContext) => Promise<unknown>;
}

/**
 * The conformance suite of `soilscale/testing`: how `manifest` falls short of behaving like a built-in,
 * one line per problem (empty when it conforms). For every kind: the manifest checks of
 * {@link manifestProblems} (params schema closed, defaults valid) and `create` with the fixture's params.
 * Regressors: fit and predict, deterministic from the seed, save → the run's files → load gives identical predictions,
 * a table without a target and a table with other columns are refused with a soilscale error.
 * Downscalers: deterministic from the seed, the target grid and the coarse dates produced, a date whose
 * coarse field is all NaN gives an all-NaN product that date, a missing coarse input is a soilscale
 * error. Any kind with `fixture.run`: deterministic from the seed.
 *
 * @example
 * ```ts
 * assert.deepEqual(await conformanceProblems(rfPlugin, { params: { trees: 20 } }), []);
 * assert.deepEqual(await conformanceProblems(regressionDownscaler, { params: { regressor: { uses: 'regressor:linear' } }, nested: [linearRegressor] }), []);
 * ```
 */
export async function conformanceProblems(manifest: AnyPluginManifest, fixture: ConformanceFixture = {}): Promise<string[]> {
  const problems = manifestProblems(manifest);
  if (problems.length) return problems;
  const kind = pluginKindOf(manifest.id)!;
  const make = async (seed = 11): Promise<{ plugin: KindInterfaces[PluginKind]; context: PluginContext } | string> => {
    const context = testContext(seed, fixture.nested ?? []);
    try {
      return { plugin: (await manifest.create(resolveParams(manifest, fixture.params ?? {}), context)) as KindInterfaces[PluginKind], context };
    } catch (e) {
      return `create(${JSON.stringify(fixture.params ?? {})}) failed: ${(e as Error).message}`;
    }
  };
  const first = await make();
  if (typeof first === 'string') return [first];
  const check = async (what: string, body: () => Promise<string[]>): Promise<void> => {
    try {
      problems.push(...(await body()));
    } catch (e) {
      problems.push(`${what} threw: ${(e as Error)?.message ?? String(e)}`);
    }
  };
  const again = async (): Promise<KindInterfaces[PluginKind]> => {
    const second = await make();
    if (typeof second === 'string') throw new Error(second);
    return second.plugin;
  };
  if (kind === 'regressor') await check('regressor checks', () => regressorProblems(first.plugin as KindInterfaces['regressor'], again as () => Promise<KindInterfaces['regressor']>, fixture.table ?? defaultTable()));
  if (kind === 'downscaler') await check('downscaler checks', () => downscalerProblems(first.plugin as KindInterfaces['downscaler'], again as () => Promise<KindInterfaces['downscaler']>, fixture.downscale ?? defaultDownscaleInput()));
  if (fixture.run) {
    const run = fixture.run;
    await check('fixture run', async () => {
      const a = await run(first.plugin, first.context);
      const second = await make();
      if (typeof second === 'string') return [second];
      return isDeepStrictEqual(a, await run(second.plugin, second.context)) ? [] : ['not deterministic: the fixture run gave different results from the same seed'];
    });
  }
  return problems;
}

async function regressorProblems(regressor: KindInterfaces['regressor'], again: () => Promise<KindInterfaces['regressor']>, table: Table): Promise<string[]> {
  const problems: string[] = [];
  const model = await regressor.fit(table);
  const { mean } = await model.predict(table);
  if (mean.length !== table.rows) problems.push(`predict: ${mean.length} predictions for ${table.rows} rows`);
  if (!mean.every(Number.isFinite)) problems.push('predict: non-finite predictions on complete rows');
  const second = await (await again()).fit(table);
  if (!isDeepStrictEqual((await second.predict(table)).mean, mean)) problems.push('not deterministic: two fits from the same seed predict differently');
  // Through the files a run writes (JSON + raw binary parts), as a later run reads them.
  const dir = await mkdtemp(join(tmpdir(), 'soilscale-conformance-'));
  try {
    await writeArtifact(dir, 'model', model.save());
    const loaded = await (await again()).load(await readSavedModelFile(join(dir, 'model.model.json')));
    if (!isDeepStrictEqual((await loaded.predict(table)).mean, mean)) problems.push('save → files → load: the loaded model predicts differently');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  problems.push(...(await refused('fit on a table without a target', () => regressor.fit({ ...table, y: undefined }))));
  const other = createTable([...table.columns.slice(0, -1), 'not_a_feature'], 2);
  problems.push(...(await refused('predict on a table with other columns', () => model.predict(other))));
  return problems;
}

async function downscalerProblems(downscaler: KindInterfaces['downscaler'], again: () => Promise<KindInterfaces['downscaler']>, input: DownscaleInput): Promise<string[]> {
  const problems: string[] = [];
  const { product } = await downscaler.downscale(input);
  const grid = input.target ?? Object.values(input.predictors)[0]?.grid;
  if (grid && (product.grid.width !== grid.width || product.grid.height !== grid.height)) problems.push(`product grid ${product.grid.width}×${product.grid.height}, expected the target's ${grid.width}×${grid.height}`);
  if (!isDeepStrictEqual(product.dates, input.coarse.dates)) problems.push(`product dates ${product.dates.join(', ')}, expected the coarse dates ${input.coarse.dates.join(', ')}`);
  if (!isDeepStrictEqual((await (await again()).downscale(input)).product.values, product.values)) problems.push('not deterministic: two runs from the same seed differ');
  const last = input.coarse.dates.length - 1;
  const gap = { ...input.coarse, values: input.coarse.values.map((v, i) => (i === last ? new Float32Array(v.length).fill(Number.NaN) : v)) };
  const gapped = (await (await again()).downscale({ ...input, coarse: gap })).product;
  const day = gapped.values[gapped.dates.indexOf(input.coarse.dates[last])];
  if (day && !day.every(Number.isNaN)) problems.push(`NaN in, NaN out: a date whose coarse field is all NaN has ${day.filter(Number.isFinite).length} finite product pixels`);
  problems.push(...(await refused('downscale without a coarse input', () => downscaler.downscale({ ...input, coarse: undefined as unknown as Series }))));
  return problems;
}

/** One problem unless `call` fails with a soilscale error (a message for the user, not a stack trace). */
async function refused(what: string, call: () => Promise<unknown>): Promise<string[]> {
  try {
    await call();
  } catch (e) {
    return isSoilscaleError(e) ? [] : [`${what}: failed with ${(e as Error)?.name ?? typeof e} "${(e as Error)?.message ?? String(e)}", expected a soilscale error naming the problem`];
  }
  return [`${what}: accepted, expected a soilscale error`];
}

function testContext(seed: number, nested: readonly AnyPluginManifest[]): PluginContext {
  const registry = createRegistry(nested);
  const context: PluginContext = createPluginContext({
    seed,
    instantiate: async (spec, kind) => {
      const m = registry.get(spec.uses, spec.version);
      if (pluginKindOf(m.id) !== kind) throw new Error(`nested plugin '${spec.uses}' is not a ${kind}`);
      return (await m.create(resolveParams(m, spec.with ?? {}), context)) as never;
    },
  });
  return context;
}

function defaultTable(): Table {
  const rng = createRng(5);
  const t = createTable(['x0', 'x1', 'x2'], 80, true);
  for (let r = 0; r < t.rows; r++) {
    const x = [rng.next(), rng.next(), rng.next()];
    t.x.set(x, r * 3);
    t.y![r] = 0.2 + 0.3 * x[0] - 0.1 * x[1] * x[2] + 0.01 * rng.normal();
  }
  return t;
}

function defaultDownscaleInput(): DownscaleInput {
  const coarse: Grid = createGrid(3, 3, [500000, 4000, 0, 4212000, 0, -4000], 'EPSG:32633');
  const fine: Grid = createGrid(12, 12, [500000, 1000, 0, 4212000, 0, -1000], 'EPSG:32633');
  const dates = ['2023-06-01', '2023-06-02', '2023-06-03'];
  const rng = createRng(9);
  const field = (n: number, base: number, spread: number) => Float32Array.from({ length: n }, () => base + spread * rng.next());
  return {
    coarse: makeSeries({ variable: 'sm', grid: coarse, dates, values: dates.map(() => field(9, 0.15, 0.2)), unit: 'm3/m3' }),
    predictors: {
      ndvi: makeSeries({ variable: 'ndvi', grid: fine, dates, values: dates.map(() => field(144, 0.2, 0.6)) }),
      lst: makeSeries({ variable: 'lst', grid: fine, dates, values: dates.map(() => field(144, 285, 30)), unit: 'K' }),
      dem: makeSeries({ variable: 'dem', grid: fine, dates: [], values: [field(144, 100, 400)], unit: 'm' }),
    },
  };
}
