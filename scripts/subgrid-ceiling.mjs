#!/usr/bin/env node
// Empirical ceiling of sub-grid correlation for predictor-based downscaling (docs/ensembles.md, "Sub-grid
// ceiling"): an oracle random forest trained on the 1 km TRUTH itself — every fine pixel's within-cell anomaly
// (truth − the truth's cell mean) against its predictors' within-cell anomalies (+ optional context) — scored
// out of sample with spatial-block cross validation (2 × 2-cell blocks, 4 folds, as the experiment's CV). No
// downscaler sees the truth, so none should beat this r with the same predictors: what remains is sub-grid
// variability that no predictor observes. Needs `npm run build`.
//
//   node scripts/subgrid-ceiling.mjs                                  # the experiment's 4 evaluation scenes
//   node scripts/subgrid-ceiling.mjs --scenes '[{"seed":11,"climate":"humid","days":60}]' --trees 30
//   node scripts/subgrid-ceiling.mjs --predictors '["ndvi_1km","lst_1km","et_1km","landcover_1km"]'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { core, host, plugins } from './built-modules.mjs';
const dist = new URL('../dist/', import.meta.url).href;
const engine = await import(`${dist}lib/regression-engine/index.js`);
const { createAligner } = await import(`${dist}lib/regression-engine/src/predictor-alignment.js`);
const { boxMean } = core;
const { generateSyntheticScene } = await import(`${dist}plugins/source-synthetic/src/generate.js`);
const { resolveOptions } = await import(`${dist}plugins/source-synthetic/src/options.js`);

const { values: args } = parseArgs({
  options: { scenes: { type: 'string' }, predictors: { type: 'string' }, features: { type: 'string' }, trees: { type: 'string', default: '60' }, 'max-samples': { type: 'string', default: '30000' } },
});
const SCENES = (
  args.scenes
    ? JSON.parse(args.scenes)
    : [
        { seed: 21, climate: 'semi-arid', days: 60, start: '2023-04-01' },
        { seed: 22, climate: 'humid', days: 75, start: '2023-05-15' },
        { seed: 23, climate: 'semi-arid', days: 60, start: '2023-08-01' },
        { seed: 24, climate: 'humid', days: 60, start: '2023-10-01' },
      ]
).map((s) => ({ coarseCells: [6, 6], fineFactor: 1, stations: 20, ...s }));
const PREDICTORS = args.predictors ? JSON.parse(args.predictors) : ['ndvi_1km', 'lst_1km', 'albedo_1km', 'precip_1km', 'dem_1km', 'twi_1km', 'clay_1km', 'sand_1km'];
/** The experiment's gap filling (the engine defaults) and CV. */
const ALIGN = { gapFill: 'interpolate', maxGapDays: 16, climatologyWindowDays: 15, dateToleranceDays: 4 };
const CV = { folds: 4, blockSize: 2 };
/**
 * Feature sets (--features, comma-separated): predictor anomalies + day of year; `+ context`: also the raw values,
 * the predictors' cell means and the coarse input; `+ windows`: also the anomalies of 3 × 3 and 5 × 5 window means;
 * `+ true soil`, `+ true rain`: also hidden states of the generator no predictor observes, as extra predictors — the
 * true hydraulic parameters (porosity, wilting point, air-dry content; the observed sand/clay carry ±3 % noise)
 * and the true daily 1 km rain with its antecedent index (the observed rain is a ~0.1° block product) — to
 * attribute the gap between the ceiling and 1. For comparison, `method: best-1km` runs the downscaler of
 * pipelines/best-1km.json (its `down` node with the params' defaults; no intervals), once more with the truth's
 * cell means as coarse input (no coarse error: what the coarse input's own error costs the sub-grid r).
 */
const METHOD_SETS = ['method: best-1km', 'method: best-1km on the truth cell means'];
const KNOWN_SETS = [...METHOD_SETS, 'anomalies', 'anomalies + context', 'anomalies + windows', 'anomalies + context + windows', 'anomalies + context + windows + true soil', 'anomalies + context + windows + true soil + true rain'];
const FEATURE_SETS = args.features ? args.features.split(',') : ['anomalies', 'anomalies + context', 'anomalies + context + windows'];
for (const set of FEATURE_SETS) if (!KNOWN_SETS.includes(set)) throw new Error(`unknown feature set '${set}' (known: ${KNOWN_SETS.join(', ')})`);
const WINDOWS = [3, 5];

const registry = host.builtinRegistry();
const workers = core.createWorkerPool(2);
const dir = mkdtempSync(join(tmpdir(), 'soilscale-subgrid-ceiling-'));
const results = [];
try {
  for (const [si, options] of SCENES.entries()) {
    const scene = await core.readStacScene((await plugins.writeSyntheticScene(options, join(dir, `scene-${si}`))).catalogPath);
    const coarse = await scene.load('sm_coarse');
    const truth = await scene.load('sm_truth_1km');
    const names = PREDICTORS.filter((k) => scene.has(k));
    const predictors = await Promise.all(names.map((k) => scene.load(k)));
    const layout = engine.blockLayout(coarse.grid, truth.grid, 'ceiling');
    const label = `seed ${options.seed} ${options.climate} ${options.days} d from ${options.start}`;
    const hidden = FEATURE_SETS.some((set) => set.includes('true')) ? hiddenStates(options, truth) : undefined;
    for (const set of FEATURE_SETS) {
      if (METHOD_SETS.includes(set)) {
        const input = set === METHOD_SETS[0] ? coarse : core.makeSeries({ ...coarse, values: truth.values.map((t) => Float32Array.from(engine.blockMeans(t, layout))) });
        const context = host.createHostContext({ seed: 42, workers });
        const t0 = Date.now();
        const product = (await (await registry.get('downscaler:regression').create(bestParams(), context)).downscale({ coarse: input, predictors: Object.fromEntries(names.map((n, i) => [n, predictors[i]])), target: truth.grid })).product;
        const v = await (await registry.get('validator:raster').create({}, context)).validate({ product, reference: truth, coarse });
        results.push({ scene: label, features: set, subgridR: v.tables.subgrid.rows.find((row) => row.date === 'all').r, seconds: (Date.now() - t0) / 1000 });
        console.error(JSON.stringify(results.at(-1)));
        continue;
      }
      const extra = [...(set.includes('true soil') ? hidden.soil : []), ...(set.includes('true rain') ? hidden.rain : [])];
      const rows = pixelRows({ coarse, truth, predictors: [...predictors, ...extra], names: [...names, ...extra.map((e) => e.variable)], layout, context: set.includes('context'), windows: set.includes('windows') ? WINDOWS : [] });
      const context = host.createHostContext({ seed: 42, workers });
      const rf = await registry.get('regressor:rf').create({ trees: Number(args.trees), maxSamples: Number(args['max-samples']) }, context);
      const t0 = Date.now();
      const { oof } = await engine.crossValidate(rf, rows.table, 'blocks', CV.folds, core.createRng(42).fork(1));
      const r = subgridR(oof, rows);
      results.push({ scene: label, features: set, rows: rows.table.rows, subgridR: r, seconds: (Date.now() - t0) / 1000 });
      console.error(JSON.stringify(results.at(-1)));
    }
  }
} finally {
  await workers.close?.();
  rmSync(dir, { recursive: true, force: true });
}

/** The params of best-1km's downscaler: its `down` node with every `$param` at its default, inputs left out, no intervals. */
function bestParams() {
  const pipeline = JSON.parse(readFileSync(new URL('../pipelines/best-1km.json', import.meta.url), 'utf8'));
  const resolve = (v) =>
    Array.isArray(v) ? v.map(resolve) : v && typeof v === 'object' ? ('$param' in v ? pipeline.params[v.$param].default : Object.fromEntries(Object.entries(v).filter(([, x]) => !(x && typeof x === 'object' && '$node' in x)).map(([k, x]) => [k, resolve(x)]))) : v;
  return { ...resolve(pipeline.nodes.down.with), intervals: { method: 'none' } };
}

/**
 * The generator's hidden states on the truth grid (generated again in memory with diagnostics; same options, same
 * truth — checked): the surface model's true hydraulic parameters, the true daily rain and its antecedent
 * precipitation index (API_d = 0.85·API_{d−1} + P_d). Only for the default fineFactor 1 (the 30 m sub-area's model
 * then covers the same pixels as its "1 km" ones).
 */
function hiddenStates(options, truth) {
  if ((options.fineFactor ?? 33) !== 1) throw new Error('true soil / true rain need scenes with fineFactor 1');
  const data = generateSyntheticScene(resolveOptions(options), true);
  const t = data.layers.find((l) => l.key === 'sm_truth_1km');
  if (t.values.some((v, d) => v.some((x, i) => !(x === truth.values[d][i] || (x !== x && truth.values[d][i] !== truth.values[d][i]))))) throw new Error('the in-memory scene differs from the written one');
  const g = data.diagnostics;
  const sub = data.subArea;
  const w = truth.grid.width;
  // Inside the 30 m sub-area the truth comes from the fine model: its parameters there.
  const withSub = (km, fine) => {
    const out = Float32Array.from(km);
    for (let r = 0; r < sub.height; r++) for (let c = 0; c < sub.width; c++) out[(sub.y + r) * w + sub.x + c] = fine[r * sub.width + c];
    return out;
  };
  const soil = ['porosity', 'wiltingPoint', 'airDry'].map((k) => core.makeSeries({ variable: `true_${k}`, grid: truth.grid, dates: [], values: [withSub(g[k], g.fine[k])] }));
  let api = new Float32Array(w * truth.grid.height);
  const apis = g.precip.map((p) => (api = Float32Array.from(p, (v, i) => 0.85 * api[i] + v)));
  const rain = [
    core.makeSeries({ variable: 'true_precip', grid: truth.grid, dates: data.dates, values: g.precip }),
    core.makeSeries({ variable: 'true_api', grid: truth.grid, dates: data.dates, values: apis }),
  ];
  return { soil, rain };
}

/**
 * One row per fine pixel and date with every predictor valid (after gap filling): features = the predictors'
 * within-cell anomalies (pixel − cell mean over valid pixels; with `windows` also of their window means) and
 * sin/cos of the day of year, with `context`
 * also the raw values, the predictors' cell means and the coarse input of the cell; target = the truth's
 * within-cell anomaly. Group = the 2 × 2-cell CV block of the pixel's cell.
 */
function pixelRows({ coarse, truth, predictors, names, layout, context, windows }) {
  const cellOf = engine.pixelCells(layout);
  const cw = coarse.grid.width;
  const nbx = Math.ceil(cw / CV.blockSize);
  const groupOfCell = (k) => Math.floor(Math.floor(k / cw) / CV.blockSize) * nbx + Math.floor((k % cw) / CV.blockSize);
  const aligners = predictors.map((s) => createAligner(s, ALIGN));
  const windowNames = windows.flatMap((w) => names.map((n) => `${n}_w${w}`));
  const columns = [...[...names, ...windowNames].map((n) => `${n}_anomaly`), ...(context ? [...names, ...names.map((n) => `${n}_cell`), 'coarse'] : []), 'doy_sin', 'doy_cos'];
  const x = [];
  const y = [];
  const cell = [];
  const date = [];
  coarse.dates.forEach((d, di) => {
    const t = truth.values[truth.dates.indexOf(d)];
    if (!t) return;
    const raw = aligners.map((a) => a(d).values);
    const arrays = [...raw, ...windows.flatMap((w) => raw.map((a) => boxMean(a, layout.fine.width, layout.fine.height, w)))];
    const valid = (p) => cellOf[p] >= 0 && t[p] === t[p] && arrays.every((a) => a[p] === a[p]);
    const means = [t, ...arrays].map((a) => engine.blockMeans(Float32Array.from(a, (v, p) => (valid(p) ? v : Number.NaN)), layout));
    const doy = core.dateFeatureValues(d, 'doy');
    for (let p = 0; p < t.length; p++) {
      if (!valid(p)) continue;
      const k = cellOf[p];
      x.push(...arrays.map((a, f) => a[p] - means[f + 1][k]));
      if (context) x.push(...raw.map((a) => a[p]), ...raw.map((_, f) => means[f + 1][k]), coarse.values[di][k]);
      x.push(...doy);
      y.push(t[p] - means[0][k]);
      cell.push(k);
      date.push(di);
    }
  });
  const table = core.createTable(columns, y.length, true);
  table.x.set(x);
  table.y.set(y);
  return { table: { ...table, index: { date: Int32Array.from(date), pixel: Int32Array.from(cell), group: Int32Array.from(cell, groupOfCell) } }, y };
}

/** Pooled correlation of within-cell anomalies (as validator:raster: prediction and truth recentred per cell and date). */
function subgridR(pred, { table, y }) {
  const key = (r) => table.index.date[r] * 1e6 + table.index.pixel[r];
  const sums = new Map();
  for (let r = 0; r < y.length; r++) {
    const s = sums.get(key(r)) ?? { p: 0, t: 0, n: 0 };
    s.p += pred[r];
    s.t += y[r];
    s.n++;
    sums.set(key(r), s);
  }
  let spp = 0, stt = 0, spt = 0;
  for (let r = 0; r < y.length; r++) {
    const s = sums.get(key(r));
    if (s.n < 2) continue;
    const a = pred[r] - s.p / s.n;
    const b = y[r] - s.t / s.n;
    spp += a * a;
    stt += b * b;
    spt += a * b;
  }
  return spt / Math.sqrt(spp * stt);
}

const f = (v) => (typeof v === 'number' ? v.toFixed(3) : '—');
const scenes = [...new Set(results.map((r) => r.scene))];
console.log(`\n**Sub-grid r of the oracle (RF on the truth, spatial-block CV; ${args.trees} trees, ${args['max-samples']} rows per tree)**\n`);
console.log(`| features | ${scenes.join(' | ')} | mean |`);
console.log(`|---|${scenes.map(() => '---|').join('')}---|`);
for (const set of FEATURE_SETS) {
  const values = scenes.map((s) => results.find((r) => r.scene === s && r.features === set)?.subgridR);
  console.log(`| ${set} | ${values.map(f).join(' | ')} | ${f(values.reduce((a, v) => a + v, 0) / values.length)} |`);
}
