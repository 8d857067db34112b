#!/usr/bin/env node
// The experiment behind pipelines/best-1km.json and docs/ensembles.md: every method on several synthetic
// scenes (seeds, both climates, 60+ days), scored against the 1 km truth (sub-grid correlation, ubRMSE, mass
// error, 90 % interval coverage and width) and against the stations (interval coverage). Needs `npm run build`.
//
//   node scripts/ensemble-experiment.mjs                       # the 4 default scenes, every method
//   node scripts/ensemble-experiment.mjs --methods linear,ensemble --scenes '[{"seed":11,"climate":"humid","days":90}]'
//   node scripts/ensemble-experiment.mjs --json out/experiment.json   # also write every number as JSON
//   node scripts/ensemble-experiment.mjs --trees 100                   # random-forest trees (default 60)
//
// Re-run it after a change of the synthetic generator: the scenes are generated from their options here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const dist = new URL('../dist/', import.meta.url).href;
const core = await import(`${dist}core/index.js`);
const host = await import(`${dist}host/index.js`);
const plugins = await import(`${dist}plugins/index.js`);

const { values: args } = parseArgs({
  options: { methods: { type: 'string' }, scenes: { type: 'string' }, json: { type: 'string' }, predictors: { type: 'string' }, trees: { type: 'string', default: '60' } },
});

/** Scene variants the methods were not tuned on: other seeds, both climates, 60+ days, different seasons. */
const SCENES = args.scenes
  ? JSON.parse(args.scenes)
  : [
      { seed: 11, climate: 'semi-arid', days: 60, start: '2023-03-01' },
      { seed: 12, climate: 'humid', days: 60, start: '2023-03-01' },
      { seed: 13, climate: 'semi-arid', days: 60, start: '2023-06-01' },
      { seed: 14, climate: 'humid', days: 60, start: '2023-09-01' },
    ].map((s) => ({ coarseCells: [6, 6], fineFactor: 1, stations: 20, ...s }));
const PREDICTORS = args.predictors ? JSON.parse(args.predictors) : ['ndvi_1km', 'lst_1km', 'albedo_1km', 'precip_1km', 'dem_1km', 'twi_1km', 'clay_1km', 'sand_1km'];

const CV = { scheme: 'blocks', folds: 4, blockSize: 2 };
const INTERVALS = { method: 'conformal', level: 0.9 };
const RF = { uses: 'regressor:rf', with: { trees: Number(args.trees) } };
const GBDT = { uses: 'regressor:gbdt' };
const LINEAR = { uses: 'regressor:linear' };
const LEARNERS = { linear: LINEAR, rf: RF, gbdt: GBDT };
const common = { dateFeatures: 'doy', cv: CV, intervals: INTERVALS, importance: false };
/** Method name → [plugin id, params]. */
const METHODS = {
  bilinear: ['downscaler:bilinear', {}],
  linear: ['downscaler:regression', { ...common, regressor: LINEAR }],
  rf: ['downscaler:regression', { ...common, regressor: RF }],
  gbdt: ['downscaler:regression', { ...common, regressor: GBDT }],
  'rf bilinear-fix': ['downscaler:regression', { ...common, regressor: RF, residualCorrection: 'bilinear-fix' }],
  'rf conformal-spread': ['downscaler:regression', { ...common, regressor: RF, intervals: { method: 'conformal-spread', level: 0.9 } }],
  ensemble: ['downscaler:ensemble', { ...common, learners: LEARNERS }],
  'ensemble bilinear-fix': ['downscaler:ensemble', { ...common, learners: LEARNERS, residualCorrection: 'bilinear-fix' }],
  'linear multi-scale': ['downscaler:regression', { ...common, regressor: LINEAR, multiScale: { levels: [3], scaleFeature: true } }],
  'rf multi-scale': ['downscaler:regression', { ...common, regressor: RF, multiScale: { levels: [3], scaleFeature: true } }],
  'rf multi-scale anomalies': ['downscaler:regression', { ...common, regressor: RF, multiScale: { levels: [1, 3], anomalies: true } }],
  'rf anomalies 3': ['downscaler:regression', { ...common, regressor: RF, multiScale: { levels: [3], anomalies: true } }],
  'ensemble anomalies 3': ['downscaler:ensemble', { ...common, learners: LEARNERS, multiScale: { levels: [3], anomalies: true } }],
};
const methods = args.methods ? args.methods.split(',') : Object.keys(METHODS);
for (const m of methods) if (!METHODS[m]) throw new Error(`unknown method '${m}' (known: ${Object.keys(METHODS).join(', ')})`);

const registry = host.builtinRegistry();
const workers = core.createWorkerPool(2);
const results = [];
const dir = mkdtempSync(join(tmpdir(), 'soilscale-ensemble-experiment-'));
try {
  for (const [si, options] of SCENES.entries()) {
    const scene = await core.readStacScene((await plugins.writeSyntheticScene(options, join(dir, `scene-${si}`))).catalogPath);
    const coarse = await scene.load('sm_coarse');
    const truth = await scene.load('sm_truth_1km');
    const stations = await scene.stations();
    const predictors = {};
    for (const key of PREDICTORS) if (scene.has(key)) predictors[key] = await scene.load(key);
    // With exact conservation every cell's product mean is the coarse value, so the product's error is the
    // coarse input's error plus a within-cell part that sums to zero: ubRMSE(product)² = ubRMSE(coarse vs
    // the truth's block means)² + mean(sub-grid error²). The first term is a floor no conserving method beats.
    const floorTable = await (await registry.get('validator:raster').create({}, host.createHostContext({ seed: 42, workers }))).validate({ product: coarse, reference: truth });
    const floor = floorTable.tables.summary.rows[0].ubrmse;
    const label = `seed ${options.seed} ${options.climate ?? "semi-arid"} ${options.days} d from ${options.start ?? "2023-01-01"}`;
    for (const method of methods) {
      const [id, params] = METHODS[method];
      const context = host.createHostContext({ seed: 42, workers });
      const t0 = Date.now();
      const downscaler = await registry.get(id).create(params, context);
      const r = await downscaler.downscale({ coarse, predictors, target: truth.grid });
      const seconds = (Date.now() - t0) / 1000;
      const intervals = r.lower && r.upper ? { lower: r.lower, upper: r.upper } : {};
      const raster = await (await registry.get('validator:raster').create({}, context)).validate({ product: r.product, reference: truth, coarse, ...intervals });
      const insitu = stations ? await (await registry.get('validator:insitu').create({}, context)).validate({ product: r.product, stations, ...intervals }) : undefined;
      const sub = raster.tables.subgrid.rows.find((row) => row.date === 'all');
      const mass = Math.max(...raster.tables.consistency.rows.map((row) => row.maxAbsError ?? 0));
      const cal = r.tables?.intervals?.rows[0];
      // The same intervals calibrated for cell means only (half-width ÷ the fine-support scale κ), for comparison.
      const coarseSupport = cal && cal.scale !== 1 ? await coverageAtCoarseSupport(r, cal.scale, truth, stations, context) : undefined;
      const row = {
        scene: label,
        method,
        ubrmseFloor: floor,
        subgridR: sub.r,
        ubrmse: raster.tables.summary.rows[0].ubrmse,
        massError: mass,
        coverage: raster.tables.intervals?.rows[0].coverage ?? null,
        width: raster.tables.intervals?.rows[0].meanWidth ?? null,
        stationCoverage: insitu?.tables.intervals?.rows[0].coverage ?? null,
        coarseSupportCoverage: coarseSupport?.coverage ?? null,
        coarseSupportWidth: coarseSupport?.width ?? null,
        coarseSupportStationCoverage: coarseSupport?.stationCoverage ?? null,
        withinCellSdEstimated: cal?.withinCellSd ?? null,
        withinCellSdMeasured: withinCellSd(r.product, truth, coarse.grid),
        scale: cal?.scale ?? null,
        weights: r.tables?.weights ? Object.fromEntries(r.tables.weights.rows.map((w) => [w.learner, +w.weight.toFixed(3)])) : undefined,
        seconds,
      };
      results.push(row);
      console.error(JSON.stringify(row));
    }
  }
} finally {
  await workers.close?.();
  rmSync(dir, { recursive: true, force: true });
}

/** Coverage and width of the intervals shrunk back to the coarse support (product ± half-width / κ). */
async function coverageAtCoarseSupport(r, scale, truth, stations, context) {
  const shrink = (which) =>
    core.makeSeries({ ...r[which], values: r[which].values.map((v, d) => Float32Array.from(v, (b, i) => r.product.values[d][i] + (b - r.product.values[d][i]) / scale)) });
  const intervals = { lower: shrink('lower'), upper: shrink('upper') };
  const raster = await (await registry.get('validator:raster').create({}, context)).validate({ product: r.product, reference: truth, ...intervals });
  const insitu = stations ? await (await registry.get('validator:insitu').create({}, context)).validate({ product: r.product, stations, ...intervals }) : undefined;
  return { coverage: raster.tables.intervals.rows[0].coverage, width: raster.tables.intervals.rows[0].meanWidth, stationCoverage: insitu?.tables.intervals?.rows[0].coverage ?? null };
}

/** RMS over pixels and dates of the product's error minus its cell mean: the within-cell error the intervals must add. */
function withinCellSd(product, truth, coarseGrid) {
  const w = truth.grid.width;
  const fx = w / coarseGrid.width;
  const fy = truth.grid.height / coarseGrid.height;
  const cellOf = (i) => Math.floor(Math.floor(i / w) / fy) * coarseGrid.width + Math.floor((i % w) / fx);
  let sum = 0;
  let n = 0;
  product.values.forEach((z, d) => {
    const t = truth.values[truth.dates.indexOf(product.dates[d])];
    if (!t) return;
    const cellSum = new Float64Array(coarseGrid.width * coarseGrid.height);
    const cellCount = new Float64Array(cellSum.length);
    for (let i = 0; i < z.length; i++) if (z[i] === z[i] && t[i] === t[i]) (cellSum[cellOf(i)] += z[i] - t[i]), cellCount[cellOf(i)]++;
    for (let i = 0; i < z.length; i++) if (z[i] === z[i] && t[i] === t[i]) (sum += (z[i] - t[i] - cellSum[cellOf(i)] / cellCount[cellOf(i)]) ** 2), n++;
  });
  return n ? Math.sqrt(sum / n) : null;
}

const f = (v, d = 3) => (v === null || v === undefined ? '—' : v.toFixed(d));
console.log('| scene | method | sub-grid r | ubRMSE (floor) | max mass error | 90 % coverage (truth) | mean width | coverage (stations) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.scene} | ${r.method} | ${f(r.subgridR)} | ${f(r.ubrmse, 4)} (${f(r.ubrmseFloor, 4)}) | ${r.massError.toExponential(1)} | ${f(r.coverage)} | ${f(r.width, 4)} | ${f(r.stationCoverage)} |`);
console.log('\nMean over scenes:\n');
console.log('| method | sub-grid r | ubRMSE | max mass error | coverage (truth) | width | coverage (stations) | wins vs best single learner (sub-grid r) |');
console.log('|---|---|---|---|---|---|---|---|');
const mean = (rows, k) => (rows.every((r) => typeof r[k] === 'number') ? rows.reduce((s, r) => s + r[k], 0) / rows.length : null);
const singles = ['linear', 'rf', 'gbdt'].filter((m) => methods.includes(m));
for (const method of methods) {
  const rows = results.filter((r) => r.method === method);
  const wins = singles.length
    ? rows.filter((r) => r.subgridR >= Math.max(...results.filter((q) => q.scene === r.scene && singles.includes(q.method)).map((q) => q.subgridR))).length
    : null;
  console.log(`| ${method} | ${f(mean(rows, 'subgridR'))} | ${f(mean(rows, 'ubrmse'), 4)} | ${Math.max(...rows.map((r) => r.massError)).toExponential(1)} | ${f(mean(rows, 'coverage'))} | ${f(mean(rows, 'width'), 4)} | ${f(mean(rows, 'stationCoverage'))} | ${wins === null ? '—' : `${wins} of ${rows.length}`} |`);
}
if (args.json) writeFileSync(args.json, JSON.stringify({ scenes: SCENES, predictors: PREDICTORS, results }, null, 2));
