import { createGrid, createPluginContext, createWorkerPool, makeSeries, recordTable, type Grid, type PluginContext, type Series } from '../../../core/index.js';
import { wcmInverter, type WcmParams } from '../index.js';
import { cosSquaredRatio, DEFAULT_FORM, wcmForwardDb, type WcmForm, type WcmParameters } from '../src/wcm-model.js';

export const TRUTH: WcmParameters = { A: 0.1, B: 0.4, C: -18, D: 25, C1: 0, E: 1, F: 1 };

/** The defaults of the manifest's params schema, overridden by `over`. */
export function wcmParams(over: Partial<WcmParams> = {}): WcmParams {
  const props = wcmInverter.params.properties as Record<string, { default?: unknown }>;
  const defaults = Object.fromEntries(Object.entries(props).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default]));
  return { ...defaults, ...over } as WcmParams;
}

export function testContext(): PluginContext {
  return createPluginContext({ seed: 5, workers: createWorkerPool(1) });
}

/**
 * A 30 m-like grid of `cells × cells` reference cells of `factor × factor` pixels. SM and NDVI are
 * uniform inside a reference cell (so σ⁰ averaged in linear units is exactly the model of the cell),
 * vary between cells and dates, and so does the incidence. σ⁰ is the exact forward model of `params`
 * (per land-cover class when `classParams` is given; class = 12 left half, 10 right half).
 */
export function exactScene({ cells = 6, factor = 4, dates = 6, params = TRUTH, classParams = undefined as Record<number, WcmParameters> | undefined, form = DEFAULT_FORM as WcmForm } = {}) {
  const size = cells * factor;
  const fine = createGrid(size, size, [500000, 30, 0, 4000000, 0, -30], 'EPSG:32633');
  const coarse = createGrid(cells, cells, [500000, 30 * factor, 0, 4000000, 0, -30 * factor], 'EPSG:32633');
  const days = Array.from({ length: dates }, (_, d) => `2024-06-${String(1 + 2 * d).padStart(2, '0')}`);
  const n = size * size;
  const cellOf = (p: number) => Math.floor(Math.floor(p / size) / factor) * cells + Math.floor((p % size) / factor);
  const landcover = Float32Array.from({ length: n }, (_, p) => ((p % size) < size / 2 ? 12 : 10));
  const smC: Float32Array[] = [];
  const sig: Float32Array[] = [];
  const inc: Float32Array[] = [];
  const ndvi: Float32Array[] = [];
  const smF: Float32Array[] = [];
  for (let d = 0; d < dates; d++) {
    const cellSm = Float32Array.from({ length: cells * cells }, (_, k) => 0.06 + 0.3 * (0.5 + 0.5 * Math.sin(1.3 * k + 0.9 * d)));
    const cellV = Float32Array.from({ length: cells * cells }, (_, k) => 0.15 + 0.65 * (0.5 + 0.5 * Math.cos(0.7 * k - 0.5 * d)));
    const cellT = Float32Array.from({ length: cells * cells }, (_, k) => 32 + (k % cells) * 1.5 + (d % 2) * 4);
    smC.push(cellSm);
    const s = new Float32Array(n);
    const t = new Float32Array(n);
    const v = new Float32Array(n);
    const m = new Float32Array(n);
    for (let p = 0; p < n; p++) {
      const k = cellOf(p);
      const q = classParams ? classParams[landcover[p]] : params;
      // a normalising form models σ⁰ at θref: observations at θ follow the cos² law from there
      s[p] = wcmForwardDb(q, form, cellV[k], cellT[k], cellSm[k]) - (form.angle === 'normalise' ? 10 * Math.log10(cosSquaredRatio(cellT[k], form.referenceAngle)) : 0);
      t[p] = cellT[k];
      v[p] = cellV[k];
      m[p] = cellSm[k];
    }
    sig.push(s);
    inc.push(t);
    ndvi.push(v);
    smF.push(m);
  }
  const series = (variable: string, grid: Grid, values: Float32Array[], unit?: string): Series => makeSeries({ variable, grid, dates: days, values, unit });
  return {
    fine,
    coarse,
    days,
    input: {
      observations: { sigma0_vv: series('sigma0_vv', fine, sig, 'dB'), incidence: series('incidence', fine, inc, 'deg') },
      auxiliary: { ndvi: series('ndvi', fine, ndvi), landcover: makeSeries({ variable: 'landcover', grid: fine, dates: [], values: [landcover], categorical: true }) },
      reference: series('sm', coarse, smC, 'm3/m3'),
    },
    smFine: series('sm', fine, smF, 'm3/m3'),
  };
}

export { recordTable };
