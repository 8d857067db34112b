#!/usr/bin/env node
// Issue 19, a fine-scale training target: best-1km's within-cell refit trained on an emulated campaign map
// (source:synthetic's `campaign` option: the 1 km truth + retrieval noise over a share of the coarse cells on
// some dates) against the same pipeline without it. Scored on the 1 km truth OUTSIDE the campaign cells (pixels
// no model trained on) and on the whole domain. docs/ensembles.md, "Training the within-cell refit on a
// campaign map". Needs `npm run build`.
//
//   node scripts/campaign-experiment.mjs --dev --trees 30                       # the dev scenes (seeds 11–14)
//   node scripts/campaign-experiment.mjs --variants '[{"layout":"cells","everyNthDay":3,"noise":0.04}]' --rows replace
//   node scripts/campaign-experiment.mjs --json out/campaign.json               # evaluation scenes (seeds 21–24)
//   node scripts/campaign-experiment.mjs --intervals --rows add                 # also 90 % intervals: out of fold on the campaign vs in-sample
//   node scripts/campaign-experiment.mjs --intervals --reference-error-sd 0.04  # … with the campaign's retrieval error removed from the scores
//
// Every variant of one seed shares the truth and the baseline product (the baseline never sees the campaign);
// only the scoring mask (the variant's campaign cells) differs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { core, host, plugins } from './built-modules.mjs';

const { values: args } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    scenes: { type: 'string' },
    variants: { type: 'string' },
    rows: { type: 'string', default: 'replace,add' },
    baseline: { type: 'boolean', default: true },
    intervals: { type: 'boolean', default: false },
    'reference-error-sd': { type: 'string', default: '0' },
    trees: { type: 'string', default: '60' },
    json: { type: 'string' },
  },
});

const common = { coarseCells: [6, 6], fineFactor: 1, stations: 20 };
/** Dev scenes (the variant is chosen on them) and evaluation scenes (run once, after the choice). */
const DEV = [
  { seed: 11, climate: 'semi-arid', days: 60, start: '2023-03-01' },
  { seed: 12, climate: 'humid', days: 60, start: '2023-03-01' },
  { seed: 13, climate: 'semi-arid', days: 60, start: '2023-06-01' },
  { seed: 14, climate: 'humid', days: 60, start: '2023-09-01' },
];
const EVAL = [
  { seed: 21, climate: 'semi-arid', days: 60, start: '2023-04-01' },
  { seed: 22, climate: 'humid', days: 75, start: '2023-05-15' },
  { seed: 23, climate: 'semi-arid', days: 60, start: '2023-08-01' },
  { seed: 24, climate: 'humid', days: 60, start: '2023-10-01' },
];
const SCENES = (args.scenes ? JSON.parse(args.scenes) : args.dev ? DEV : EVAL).map((s) => ({ ...common, ...s }));
/** Campaign variants (source:synthetic `campaign` options; defaults: 25 % of the cells, block, every day, noise 0.04). */
const VARIANTS = args.variants ? JSON.parse(args.variants) : [{ layout: 'block' }, { layout: 'cells' }];
const ROWS = args.rows.split(',').filter(Boolean);
const PREDICTORS = ['ndvi_1km', 'lst_1km', 'albedo_1km', 'precip_1km', 'dem_1km', 'twi_1km', 'clay_1km', 'sand_1km'];
/** pipelines/best-1km.json's downscaler (with its 7-date temporal means since 2026-12-06, 17:00 UTC). */
const BEST = {
  regressor: { uses: 'regressor:rf', with: { trees: Number(args.trees) } },
  multiScale: { levels: [3], anomalies: true, context: true },
  windows: [3],
  temporal: { windows: [7] },
  residualCorrection: 'block',
  dateFeatures: 'doy',
  cv: { scheme: 'blocks', folds: 4, blockSize: 2 },
  importance: false,
  ...(args.intervals ? { intervals: { method: 'conformal', level: 0.9 } } : {}),
};

const registry = host.builtinRegistry();
const workers = core.createWorkerPool(2);
const results = [];
const dir = mkdtempSync(join(tmpdir(), 'soilscale-campaign-experiment-'));
const variantName = (v) => JSON.stringify(v).replace(/["{}]/g, '');
try {
  for (const [si, options] of SCENES.entries()) {
    const label = `s${options.seed} ${options.climate} ${options.start}`;
    let baseline;
    for (const [vi, campaign] of VARIANTS.entries()) {
      const scene = await core.readStacScene((await plugins.writeSyntheticScene({ ...options, campaign }, join(dir, `scene-${si}-${vi}`))).catalogPath);
      const coarse = await scene.load('sm_coarse');
      const truth = await scene.load('sm_truth_1km');
      const reference = await scene.load('sm_campaign_1km');
      const predictors = {};
      for (const key of PREDICTORS) predictors[key] = await scene.load(key);
      const flown = flownPixels(reference);
      const outside = core.makeSeries({ ...truth, values: truth.values.map((v) => Float32Array.from(v, (x, i) => (flown[i] ? Number.NaN : x))) });
      const context = host.createHostContext({ seed: 42, workers });
      const run = async (params, input) => {
        const t0 = Date.now();
        const r = await (await registry.get('downscaler:regression').create(params, context)).downscale({ coarse, predictors, target: truth.grid, ...input });
        return { r, seconds: (Date.now() - t0) / 1000 };
      };
      const score = async (method, { r, seconds }) => {
        const row = { scene: label, variant: variantName(campaign), method, seconds, outside: await validate(r.product, outside, coarse, context), whole: await validate(r.product, truth, coarse, context), conservation: Math.max(...r.tables.conservation.rows.map((c) => c.maxAbsError ?? 0)), multiScale: r.tables.multiScale?.rows[0] };
        if (args.intervals) {
          row.intervals = { ...r.tables.intervals.rows[0], outside: await coverage(r.product, r, outside, context), whole: await coverage(r.product, r, truth, context) };
          // The naive campaign calibration (transform:interval-calibration on the campaign map) of a product that trained on those pixels: in-sample.
          if (method.startsWith('campaign')) row.inSample = await coverage(r.product, await inSampleInterval(r.product, reference, coarse, context), outside, context);
        }
        results.push(row);
        console.error(JSON.stringify(row));
      };
      if (args.baseline) {
        baseline ??= await run({ ...BEST }, {});
        await score('best-1km (no campaign)', baseline);
      }
      for (const rows of ROWS) await score(`campaign ${rows}`, await run({ ...BEST, referenceTraining: { rows, referenceErrorSd: Number(args['reference-error-sd']) } }, { reference }));
    }
  }
} finally {
  await workers.close?.();
  rmSync(dir, { recursive: true, force: true });
}

/** Pixels the campaign ever covers (whole coarse cells with the synthetic campaign). */
function flownPixels(reference) {
  const mask = new Uint8Array(reference.grid.width * reference.grid.height);
  for (const v of reference.values) for (let i = 0; i < v.length; i++) if (v[i] === v[i]) mask[i] = 1;
  return mask;
}

/** Sub-grid r (validator:raster's pooled within-cell anomaly correlation), ubRMSE and max mass error against `truth`. */
async function validate(product, truth, coarse, context) {
  const raster = await (await registry.get('validator:raster').create({}, context)).validate({ product, reference: truth, coarse });
  return {
    subgridR: raster.tables.subgrid.rows.find((row) => row.date === 'all').r,
    ubrmse: raster.tables.summary.rows[0].ubrmse,
    massError: Math.max(...raster.tables.consistency.rows.map((row) => row.maxAbsError ?? 0)),
  };
}

/** Coverage of `truth` by `[lower, upper]` and the mean width (validator:raster's intervals table). */
async function coverage(product, { lower, upper }, truth, context) {
  const raster = await (await registry.get('validator:raster').create({}, context)).validate({ product, reference: truth, lower, upper });
  return { coverage: raster.tables.intervals.rows[0].coverage, width: raster.tables.intervals.rows[0].meanWidth };
}

/** transform:interval-calibration on the campaign map around `product` (a constant half-width: κ·h does not depend on h). */
async function inSampleInterval(product, reference, coarse, context) {
  const band = (sign) => core.makeSeries({ ...product, values: product.values.map((v) => Float32Array.from(v, (x) => x + sign * 0.01)) });
  return (await registry.get('transform:interval-calibration').create({ level: 0.9 }, context)).apply({ product, lower: band(-1), upper: band(1), reference, coarse });
}

const f = (v, d = 3) => (typeof v === 'number' && v === v ? v.toFixed(d) : '—');
const scenes = [...new Set(results.map((r) => r.scene))];
const keys = [...new Set(results.map((r) => `${r.variant} | ${r.method}`))];
for (const [part, name] of [['outside', 'outside the campaign cells'], ['whole', 'whole domain']]) {
  console.log(`\n**Sub-grid r / ubRMSE, ${name} (RF ${args.trees} trees)**\n`);
  console.log(`| campaign | method | ${scenes.join(' | ')} | mean |`);
  console.log(`|---|---|${scenes.map(() => '---|').join('')}---|`);
  for (const key of keys) {
    const rows = scenes.map((s) => results.find((r) => r.scene === s && `${r.variant} | ${r.method}` === key));
    const mean = (k) => (rows.every(Boolean) ? rows.reduce((a, r) => a + r[part][k], 0) / rows.length : null);
    console.log(`| ${key} | ${rows.map((r) => (r ? `${f(r[part].subgridR)} / ${f(r[part].ubrmse, 4)}` : '—')).join(' | ')} | ${f(mean('subgridR'))} / ${f(mean('ubrmse'), 4)} |`);
  }
}
if (args.intervals) {
  console.log('\n**90 % intervals: coverage of the 1 km truth outside the campaign / mean width**\n');
  console.log(`| campaign | method | interval | ${scenes.join(' | ')} | mean |`);
  console.log(`|---|---|---|${scenes.map(() => '---|').join('')}---|`);
  for (const key of keys) {
    for (const [name, get] of [['as produced', (r) => r.intervals?.outside], ['campaign, in-sample', (r) => r.inSample]]) {
      const rows = scenes.map((s) => results.find((r) => r.scene === s && `${r.variant} | ${r.method}` === key)).map((r) => (r ? get(r) : undefined));
      if (!rows.some(Boolean)) continue;
      const mean = (k) => (rows.every(Boolean) ? rows.reduce((a, r) => a + r[k], 0) / rows.length : null);
      console.log(`| ${key} | ${name} | ${rows.map((r) => (r ? `${f(r.coverage)} / ${f(r.width, 4)}` : '—')).join(' | ')} | ${f(mean('coverage'))} / ${f(mean('width'), 4)} |`);
    }
  }
}
console.log(`\nMax mass error: ${Math.max(...results.map((r) => r.whole.massError)).toExponential(1)} (validator:raster), ${Math.max(...results.map((r) => r.conservation)).toExponential(1)} (the downscaler's conservation table)`);
if (args.json) writeFileSync(args.json, JSON.stringify({ scenes: SCENES, variants: VARIANTS, trees: Number(args.trees), results }, null, 2));
