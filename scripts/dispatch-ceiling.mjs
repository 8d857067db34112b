#!/usr/bin/env node
// DISPATCH against bilinear on a synthetic scene (docs/dispatch.md): sub-grid correlation against sm_truth_1km of
// DISPATCH (defaults, with the dem_1km predictor), of DISPATCH with the LR value as its base (the SEE term alone), of
// bilinear, and of an "oracle" DISPATCH fed the generator's true, noise-free SEE, split by whether the truth is at its
// air-dry floor; and the ubRMSE of DISPATCH, bilinear and the coarse input. Needs `npm run build` first.
//
//   node scripts/dispatch-ceiling.mjs                      # the demo scene (generator defaults)
//   node scripts/dispatch-ceiling.mjs '{}' cosine          # the oracle with the cosine SEE model
//   node scripts/dispatch-ceiling.mjs '{"seed":2}'                              # another seed
//   node scripts/dispatch-ceiling.mjs '{"climate":"humid","relief":400,"seed":5}' # the other climate, with relief
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { core } from './built-modules.mjs';
const dist = new URL('../dist/', import.meta.url).href;
const { writeSyntheticScene } = await import(`${dist}plugins/source-synthetic/index.js`);
const { generateSyntheticScene } = await import(`${dist}plugins/source-synthetic/src/generate.js`);
const { resolveOptions } = await import(`${dist}plugins/source-synthetic/src/options.js`);
const { dispatchDownscaler } = await import(`${dist}plugins/downscaler-dispatch/index.js`);
const { cellLayout } = await import(`${dist}plugins/downscaler-dispatch/src/dispatch-member.js`);

const options = JSON.parse(process.argv[2] ?? '{}');
const model = process.argv[3] ?? 'linear'; // the SEE(SM) model of the oracle: 'linear' or 'cosine'

/** ∂SM/∂SEE at the cell's mean SEE `s` with SMp calibrated on the coarse value (docs/methods/dispatch.md §3.6); null where DISPATCH skips the cell. */
function oracleSlope(smLR, s) {
  if (!(s >= 0.01)) return null;
  if (model === 'linear') return smLR / s;
  if (s >= 0.99) return null;
  const smp = (Math.PI * smLR) / Math.acos(1 - 2 * s);
  return smp / (Math.PI * Math.sqrt(s * (1 - s)));
}
const FLOOR = 0.005; // m³/m³ above the air-dry water content still counts as "at the floor"

const dir = mkdtempSync(join(tmpdir(), 'soilscale-dispatch-ceiling-'));
try {
  const scene = await core.readStacScene((await writeSyntheticScene(options, dir)).catalogPath);
  const [coarse, lst, ndvi, truth, dem] = await Promise.all(['sm_coarse', 'lst_1km', 'ndvi_1km', 'sm_truth_1km', 'dem_1km'].map((k) => scene.load(k)));
  const { airDry, see } = generateSyntheticScene(resolveOptions(options), true).diagnostics;
  const defaults = Object.fromEntries(Object.entries(dispatchDownscaler.params.properties).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]));
  const workers = core.createWorkerPool(2);
  const run = async (over) => (await (await dispatchDownscaler.create({ ...defaults, clip: [], ...over }, core.createPluginContext({ workers }))).downscale({ coarse, predictors: { ndvi, lst, dem } })).product;
  const product = await run({});
  const lrBase = await run({ base: 'cell' });
  await workers.close?.();
  const nearest = core.resampleSeries(coarse, truth.grid, 'nearest');
  const bilinear = core.resampleSeries(coarse, truth.grid, 'bilinear');

  const { cellOf } = cellLayout(truth.grid.width, truth.grid.height, coarse.grid.width, coarse.grid.height, core.checkNesting(coarse.grid, truth.grid));
  const cells = coarse.grid.width * coarse.grid.height;
  /** Paired within-cell anomalies (method, truth) per method and group. */
  const pairs = new Map();
  const add = (key, x, y) => {
    const pair = pairs.get(key) ?? { x: [], y: [] };
    pair.x.push(x);
    pair.y.push(y);
    pairs.set(key, pair);
  };
  const cellMeans = (values, valid) => {
    const sum = new Float64Array(cells), count = new Float64Array(cells);
    for (let p = 0; p < values.length; p++) if (valid(p)) (sum[cellOf[p]] += values[p]), count[cellOf[p]]++;
    return sum.map((v, c) => v / count[c]);
  };
  product.values.forEach((dispatch, d) => {
    const valid = (p) => dispatch[p] === dispatch[p]; // where DISPATCH gives a value (clear sky, not zone D, cell not skipped)
    const clear = (p) => lst.values[d][p] === lst.values[d][p];
    const [mD, mT, mB, mL] = [dispatch, truth.values[d], bilinear.values[d], lrBase.values[d]].map((v) => cellMeans(v, valid));
    const [mS, mTc] = [see[d], truth.values[d]].map((v) => cellMeans(v, clear));
    for (let p = 0; p < dispatch.length; p++) {
      const c = cellOf[p];
      const part = truth.values[d][p] - airDry[p] < FLOOR ? 'at the floor' : 'above the floor';
      if (valid(p)) {
        for (const group of [part, 'all']) {
          add(`dispatch|${group}`, dispatch[p] - mD[c], truth.values[d][p] - mT[c]);
          add(`bilinear|${group}`, bilinear.values[d][p] - mB[c], truth.values[d][p] - mT[c]);
          if (lrBase.values[d][p] === lrBase.values[d][p]) add(`lrBase|${group}`, lrBase.values[d][p] - mL[c], truth.values[d][p] - mT[c]);
          if (group === 'all') for (const [name, v] of [['dispatch', dispatch[p]], ['bilinear', bilinear.values[d][p]], ['coarse', nearest.values[d][p]]]) add(`error|${name}`, v - truth.values[d][p], 0);
        }
      }
      // DISPATCH's relation with the true SEE: SM_HR − SM_LR = ∂SM/∂SEE at ⟨SEE⟩ · (SEE − ⟨SEE⟩).
      const slope = oracleSlope(coarse.values[d][c], mS[c]);
      if (clear(p) && slope !== null) for (const group of [part, 'all']) add(`oracle|${group}`, slope * (see[d][p] - mS[c]), truth.values[d][p] - mTc[c]);
    }
  });
  const r = (key) => (pairs.has(key) ? core.pearson(pairs.get(key).x, pairs.get(key).y).toFixed(3) : '—');
  const ub = (name) => {
    const e = pairs.get(`error|${name}`).x;
    const m = e.reduce((s, v) => s + v, 0) / e.length;
    return Math.sqrt(e.reduce((s, v) => s + (v - m) ** 2, 0) / e.length);
  };
  console.log('| clear pixel-days | count | DISPATCH r | DISPATCH, LR base r | bilinear r | oracle DISPATCH (true SEE) r |');
  console.log('|---|---|---|---|---|---|');
  for (const group of ['above the floor', 'at the floor', 'all']) console.log(`| ${group} | ${pairs.get(`dispatch|${group}`)?.x.length ?? 0} | ${r(`dispatch|${group}`)} | ${r(`lrBase|${group}`)} | ${r(`bilinear|${group}`)} | ${r(`oracle|${group}`)} |`);
  console.log(`ubRMSE (where DISPATCH has a value): DISPATCH ${ub('dispatch').toFixed(4)}, bilinear ${ub('bilinear').toFixed(4)}, coarse input ${ub('coarse').toFixed(4)} (DISPATCH/coarse ${(ub('dispatch') / ub('coarse')).toFixed(3)})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
