import {
  createRng,
  inputError,
  isStatic,
  makeSeries,
  metricsTableRow,
  pairedMetrics,
  recordTable,
  sampleStationsAtPixels,
  type Artifact,
  type NodeReport,
  type PluginContext,
  type SampledStation,
  type Series,
  type Stations,
  type Transform,
  createSavedModel,
  checkSavedModel,
} from '../../../core/index.js';
import type { BiasCorrectionParams } from '../index.js';
import { FEATURES, windowFeatures } from './neighbourhood.js';
import { fitRidgeToPrior, predictLinear, type LinearModel } from './ridge-to-prior.js';

const ID = 'transform:bias-correction';
const VERSION = '1.0.0';
const P = FEATURES.length;

/** Matched (station, date) samples: neighbourhood features of the product and the in-situ value. */
interface Samples {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly station: Int32Array;
  readonly rows: number;
  readonly ids: readonly string[];
}

/**
 * The station observations a calibration may use (`sampleStationsAtPixels`: surface sensors, accepted flags,
 * the pixel containing the station, the same date — every observation of a static product) with the
 * product's neighbourhood features there; and what was left out, for the node's notes.
 */
function matchSamples(product: Series, stations: Stations, params: BiasCorrectionParams): { samples: Samples; leftOut: string[] } {
  const { width: w, height: h } = product.grid;
  const feat = new Float64Array(P);
  const sampled = sampleStationsAtPixels(stations, {
    grid: product.grid, dates: product.dates, staticProduct: isStatic(product), depthMax: params.depthMax, flags: params.flags,
  });
  const xs: number[] = [];
  const ys: number[] = [];
  const st: number[] = [];
  const ids: string[] = [];
  for (const s of sampled) {
    if (!s.pixel || s.dates.length === 0) continue;
    const k = ids.length;
    ids.push(s.station.id);
    s.dates.forEach((t, i) => {
      if (!windowFeatures(product.values[t], w, h, s.pixel!.col, s.pixel!.row, params.radius, feat)) return;
      xs.push(...feat);
      ys.push(s.values[i]);
      st.push(k);
    });
  }
  const samples = { x: Float64Array.from(xs), y: Float64Array.from(ys), station: Int32Array.from(st), rows: ys.length, ids };
  return { samples, leftOut: leftOutNotes(sampled, params) };
}

/** One note per kind of exclusion that happened: the user sees what the calibration did not use. */
function leftOutNotes(sampled: readonly SampledStation[], params: BiasCorrectionParams): string[] {
  const deep = sampled.filter((s) => s.excluded === 'too-deep').map((s) => s.station.id);
  const outside = sampled.filter((s) => s.excluded === 'outside-grid').map((s) => s.station.id);
  const rejected = sampled.reduce((n, s) => n + s.dropped['rejected-flag'].length, 0);
  return [
    ...(deep.length ? [`${deep.length} station(s) left out as deeper than depthMax ${params.depthMax} m: ${deep.join(', ')}`] : []),
    ...(outside.length ? [`${outside.length} station(s) outside the product's grid: ${outside.join(', ')}`] : []),
    ...(rejected ? [`${rejected} observation(s) left out for a quality flag not in [${params.flags.join(', ')}]`] : []),
  ];
}

function subset(s: Samples, keep: (station: number) => boolean): { x: Float64Array; y: Float64Array; rows: number } {
  const idx: number[] = [];
  for (let r = 0; r < s.rows; r++) if (keep(s.station[r])) idx.push(r);
  const x = new Float64Array(idx.length * P);
  const y = new Float64Array(idx.length);
  idx.forEach((r, i) => {
    x.set(s.x.subarray(r * P, r * P + P), i * P);
    y[i] = s.y[r];
  });
  return { x, y, rows: idx.length };
}

function priorOf(saved: Artifact | undefined): LinearModel | undefined {
  if (!saved) return undefined;
  return (checkSavedModel(saved, { id: ID, version: VERSION }, `${ID}.pretrained`).data as { model: LinearModel }).model;
}

export function createBiasCorrection(params: BiasCorrectionParams, context: PluginContext): Transform {
  return {
    async apply(inputs) {
      const product = inputs.product as Series | undefined;
      const stations = inputs.stations as Stations | undefined;
      if (!product || product.kind !== 'series') throw inputError('bias correction needs the product to correct', { path: `${ID}.product`, expected: 'a series', found: product ? product.kind : 'none' });
      if (!stations || stations.kind !== 'stations') throw inputError('bias correction needs in-situ stations', { path: `${ID}.stations`, expected: 'stations', found: stations ? stations.kind : 'none' });
      const prior = priorOf(inputs.pretrained);
      const { samples, leftOut } = matchSamples(product, stations, params);
      const withData = new Set(Array.from(samples.station));
      if (withData.size < 2) {
        throw inputError('too few stations with observations on product dates and pixels', { file: stations.source, path: `${ID}.stations`, expected: `at least 2 stations inside the product with accepted observations (sensor top ≤ ${params.depthMax} m, flag in [${params.flags.join(', ')}] or none) on product dates`, found: [`${withData.size}`, ...leftOut].join('; ') });
      }
      // Leave-stations-out: stations (with data) dealt into k seeded folds; each fold's stations are
      // predicted by a model fitted on the other folds only.
      const rng = createRng(params.seed ?? context.seed);
      const order = rng.shuffle([...withData].sort((a, b) => a - b));
      const k = Math.min(params.folds, order.length);
      const foldOf = new Map<number, number>();
      order.forEach((s, i) => foldOf.set(s, i % k));
      const loso = new Float64Array(samples.rows).fill(Number.NaN);
      const foldRows: Record<string, string | number | null>[] = [];
      for (let f = 0; f < k; f++) {
        const train = subset(samples, (s) => foldOf.get(s) !== f);
        const model = fitRidgeToPrior(train.x, train.y, train.rows, P, params.ridge, prior);
        const pred: number[] = [];
        const obs: number[] = [];
        const raw: number[] = [];
        for (let r = 0; r < samples.rows; r++) {
          if (foldOf.get(samples.station[r]) !== f) continue;
          loso[r] = predictLinear(model, samples.x, r * P);
          pred.push(loso[r]);
          obs.push(samples.y[r]);
          raw.push(samples.x[r * P]);
        }
        const held = order.filter((s) => foldOf.get(s) === f).map((s) => samples.ids[s]);
        foldRows.push({ level: 'fold', fold: f + 1, station: held.join(' '), trainStations: order.length - held.length, ...metricsTableRow(pairedMetrics(pred, obs)), rawRmse: pairedMetrics(raw, obs).rmse, rawBias: pairedMetrics(raw, obs).bias });
      }
      const stationRows = [...withData].sort((a, b) => a - b).map((s) => {
        const pred: number[] = [];
        const obs: number[] = [];
        const raw: number[] = [];
        for (let r = 0; r < samples.rows; r++) if (samples.station[r] === s) (pred.push(loso[r]), obs.push(samples.y[r]), raw.push(samples.x[r * P]));
        return { level: 'station', fold: foldOf.get(s)! + 1, station: samples.ids[s], trainStations: order.length - order.filter((o) => foldOf.get(o) === foldOf.get(s)).length, ...metricsTableRow(pairedMetrics(pred, obs)), rawRmse: pairedMetrics(raw, obs).rmse, rawBias: pairedMetrics(raw, obs).bias };
      });
      const all = pairedMetrics(loso, samples.y);
      const rawAll = pairedMetrics(Float64Array.from({ length: samples.rows }, (_, r) => samples.x[r * P]), samples.y);
      const overall = { level: 'all', fold: 'all', station: 'all', trainStations: null, ...metricsTableRow(all), rawRmse: rawAll.rmse, rawBias: rawAll.bias };

      // The operational model: every station (fine-tuned from the pre-trained one when given).
      const full = subset(samples, () => true);
      const model = fitRidgeToPrior(full.x, full.y, full.rows, P, params.ridge, prior);
      const { width: w, height: h } = product.grid;
      const feat = new Float64Array(P);
      const values = product.values.map((v) => {
        const out = new Float32Array(v.length).fill(Number.NaN);
        for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) if (windowFeatures(v, w, h, c, r, params.radius, feat)) out[r * w + c] = predictLinear(model, feat);
        return out;
      });
      const saved = createSavedModel({ id: ID, version: VERSION }, {
        params, featureNames: FEATURES, data: { model, stations: withData.size, samples: samples.rows, pretrained: prior !== undefined },
      });
      context.logger.info(`${ID}: leave-stations-out RMSE ${all.rmse.toPrecision(3)} (raw product ${rawAll.rmse.toPrecision(3)}) over ${withData.size} stations, ${k} folds`);
      return {
        product: makeSeries({ ...product, values }),
        model: saved,
        tables: {
          loso: recordTable([overall, ...foldRows, ...stationRows], undefined, [
            `leave-stations-out: ${withData.size} stations in ${k} seeded folds; each station is predicted by a model fitted without its fold (metrics: corrected vs in situ; raw*: uncorrected product vs in situ)`,
          ]),
        },
        notes: [...leftOut, `bias correction ${prior ? 'fine-tuned from a pre-trained model' : 'fitted'} on ${samples.rows} station-days (window radius ${params.radius}); LOSO RMSE ${all.rmse.toPrecision(3)} vs raw ${rawAll.rmse.toPrecision(3)}`],
        // Transform results mix artifacts with the report fields (tables, notes): the engine separates them.
      } as unknown as Readonly<Record<string, Artifact>> & NodeReport;
    },
  };
}
