import { createGrid, createPluginContext, createRng, createWorkerPool, makeSeries, type AnyPluginManifest, type PluginContext, type PluginSpec, type Series, type TileService } from '../../core/index.js';
import { rfPlugin } from '../../plugins/regressor-rf/index.js';
import { linearRegressor } from '../../plugins/regressor-linear/index.js';
import { regressionDownscaler } from '../../plugins/downscaler-regression/index.js';
import { builtinTileTask } from '../../host/tile-worker.js';

/**
 * A small scene whose fine truth is known: SM = 0.45 − 0.004·(LST − 290) + 0.15·NDVI + a smooth
 * per-date anomaly, and the coarse input is the exact block mean of the truth.
 */
export function syntheticScene({ size = 40, factor = 5, days = 6, seed = 1 } = {}) {
  const rng = createRng(seed);
  const fine = createGrid(size, size, [500000, 100, 0, 4000000, 0, -100], 'EPSG:32633');
  const nc = size / factor;
  const coarse = createGrid(nc, nc, [500000, 100 * factor, 0, 4000000, 0, -100 * factor], 'EPSG:32633');
  const dates = Array.from({ length: days }, (_, d) => `2024-06-${String(1 + d * 2).padStart(2, '0')}`);
  const n = size * size;
  const ndvi = Float32Array.from({ length: n }, (_, p) => 0.3 + 0.25 * Math.sin((p % size) / 5) * Math.cos(Math.floor(p / size) / 7) + 0.05 * rng.normal());
  const lst: Float32Array[] = [];
  const truth: Float32Array[] = [];
  const sm: Float32Array[] = [];
  for (let d = 0; d < days; d++) {
    const l = Float32Array.from({ length: n }, (_, p) => 295 + 2 * d + 8 * (0.3 - ndvi[p]) + 3 * Math.sin((p % size) / 3 + d) + rng.normal());
    const t = Float32Array.from({ length: n }, (_, p) => 0.45 - 0.004 * (l[p] - 290) + 0.15 * ndvi[p] + 0.01 * Math.cos(Math.floor(p / size) / 6 + d));
    lst.push(l);
    truth.push(t);
    const c = new Float32Array(nc * nc);
    for (let p = 0; p < n; p++) c[Math.floor(Math.floor(p / size) / factor) * nc + Math.floor((p % size) / factor)] += t[p] / (factor * factor);
    sm.push(c);
  }
  return {
    fine,
    coarse,
    dates,
    smCoarse: makeSeries({ variable: 'sm', grid: coarse, dates, values: sm, unit: 'm3/m3' }),
    ndvi: makeSeries({ variable: 'ndvi', grid: fine, dates: [], values: [ndvi] }),
    lst: makeSeries({ variable: 'lst', grid: fine, dates, values: lst, unit: 'K' }),
    truth: makeSeries({ variable: 'sm', grid: fine, dates, values: truth }),
  };
}

/** The defaults of a manifest's params schema (top-level properties). */
export function defaultsOf(schema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(Object.entries(props).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]));
}

const REGRESSORS: readonly AnyPluginManifest[] = [linearRegressor, rfPlugin];

/** A context whose `instantiate` knows the built-in regressors the tests use. */
export function testContext(extra: Record<string, (w: Record<string, unknown>) => unknown> = {}, tiles: { tileSize?: number; tiles?: TileService } = {}): PluginContext {
  const context: PluginContext = createPluginContext({
    seed: 11,
    workers: createWorkerPool(1),
    // Tile jobs load the fitted regressor with the built-ins.
    tileTask: builtinTileTask,
    ...tiles,
    async instantiate(spec: PluginSpec) {
      if (extra[spec.uses]) return extra[spec.uses]({ ...(spec.with ?? {}) }) as never;
      const manifest = REGRESSORS.find((m) => m.id === spec.uses);
      if (!manifest) throw new Error(`test context: unknown plugin ${spec.uses}`);
      return (await manifest.create({ ...defaultsOf(manifest.params), ...(spec.with ?? {}) }, context)) as never;
    },
  } as Parameters<typeof createPluginContext>[0]);
  return context;
}

export async function downscaler(params: Record<string, unknown>, context = testContext()) {
  return regressionDownscaler.create(params as never, context);
}

/** Pearson correlation of within-block anomalies (value − its block mean) of `a` and `b`, pooled. */
export function subGridCorrelation(a: Series, b: Series, factor: number): number {
  const size = a.grid.width;
  const nc = size / factor;
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
  for (let d = 0; d < a.values.length; d++) {
    const ma = new Float64Array(nc * nc);
    const mb = new Float64Array(nc * nc);
    const cell = (p: number) => Math.floor(Math.floor(p / size) / factor) * nc + Math.floor((p % size) / factor);
    for (let p = 0; p < size * size; p++) (ma[cell(p)] += a.values[d][p] / factor ** 2), (mb[cell(p)] += b.values[d][p] / factor ** 2);
    for (let p = 0; p < size * size; p++) {
      const x = a.values[d][p] - ma[cell(p)];
      const y = b.values[d][p] - mb[cell(p)];
      if (!(x === x && y === y)) continue;
      sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y; n++;
    }
  }
  const cov = sab / n - (sa / n) * (sb / n);
  return cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}
