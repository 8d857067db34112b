import {
  inputError,
  makeSeries,
  pearson,
  recordTable,
  usageError,
  type Calibration,
  type Inverter,
  type InverterInput,
  type PluginContext,
  type RecordTable,
  type SavedModel,
  createSavedModel,
  checkSavedModel,
} from '../../../core/index.js';
import { readModel, setKey, selectSets, WCM_PLUGIN_ID, WCM_PLUGIN_VERSION, type WcmModelData, type WcmParameterSet } from './parameter-sets.js';
import { referenceSamples, stationSamples, type CalibrationSamples } from './calibration-samples.js';
import { countOutcomes, type InversionLimits } from './invert-raster.js';
import { invertTiles } from './invert-stage.js';
import { buildRadarStack, type RadarStack } from './radar-stack.js';
import { fitWcm, type ParameterBounds, type WcmFit } from './wcm-fit.js';
import { WCM_PARAMETER_NAMES, invertPixel, type WcmForm, type WcmParameterName, type WcmParameters } from './wcm-model.js';

export { setKey, WCM_PLUGIN_ID, WCM_PLUGIN_VERSION, type WcmModelData, type WcmParameterSet } from './parameter-sets.js';

/** Parameters of `inverter:wcm` (see the manifest for meanings and defaults). */
export interface WcmParams {
  readonly descriptor: string;
  readonly descriptorMaxGapDays: number;
  readonly volumeTerm: WcmForm['volumeTerm'];
  readonly soilTerm: WcmForm['soilTerm'];
  readonly angle: WcmForm['angle'];
  readonly referenceAngle: number;
  readonly calibration: 'auto' | 'reference' | 'stations';
  readonly residuals: 'db' | 'linear';
  readonly initial: Readonly<Partial<Record<WcmParameterName, number>>>;
  readonly bounds: Readonly<Partial<Record<WcmParameterName, readonly [number, number]>>>;
  readonly fixed: readonly WcmParameterName[];
  readonly fitExponents: boolean;
  readonly starts: number;
  readonly perClass: boolean;
  readonly perOrbit: boolean;
  readonly orbitBinDeg: number;
  readonly minSamples: number;
  readonly toleranceDays: number;
  readonly minValidFraction: number;
  readonly stationWindow: number;
  readonly smMin: number;
  readonly smMax: number;
  readonly minTransmissivity: number;
  readonly multilook: number;
  readonly minIncidence: number;
  readonly maxIncidence: number;
  readonly maskClasses: readonly number[];
  readonly seed?: number;
}

const DEFAULT_INITIAL: WcmParameters = { A: 0.05, B: 0.2, C: -15, D: 20, C1: 0, E: 1, F: 1 };
const LINEAR_INITIAL = { C: Math.pow(10, -1.5), D: (20 * Math.LN10) / 10 };
const DEFAULT_BOUNDS: ParameterBounds = { A: [0, 1], B: [0, 2], C: [-35, 0], D: [0, 60], C1: [-1, 1], E: [0.1, 3], F: [0.1, 3] };
const LINEAR_BOUNDS: ParameterBounds = { C: [Math.pow(10, -3.5), 1], D: [0, (60 * Math.LN10) / 10] };

/**
 * The Water Cloud Model inverter: calibrate (against a reference SM product or stations), then invert
 * every radar date in closed form on the σ⁰ grid.
 */
export function createWcmInverter(params: WcmParams, context: PluginContext): Inverter {
  const form: WcmForm = { volumeTerm: params.volumeTerm, soilTerm: params.soilTerm, angle: params.angle, referenceAngle: params.referenceAngle };
  if (form.angle === 'angle-dependent-c' && form.soilTerm === 'linear') {
    throw usageError('angle-dependent C needs the dB soil term', { path: `${WCM_PLUGIN_ID}.angle`, expected: "soilTerm 'db' with angle 'angle-dependent-c'", found: "soilTerm 'linear'" });
  }
  const stackOptions = params;
  const seed = params.seed ?? context.seed;

  function fitted(): WcmParameterName[] {
    const names: WcmParameterName[] = ['A', 'B', 'C', 'D'];
    if (form.angle === 'angle-dependent-c') names.push('C1');
    if (params.fitExponents) {
      if (form.volumeTerm === 'descriptor') names.push('E');
      names.push('F');
    }
    return names.filter((n) => !params.fixed.includes(n));
  }

  function initial(): WcmParameters {
    const base: Record<WcmParameterName, number> = { ...DEFAULT_INITIAL, ...(form.soilTerm === 'linear' ? LINEAR_INITIAL : {}) };
    for (const [k, v] of Object.entries(params.initial)) if (v !== undefined) base[k as WcmParameterName] = v;
    return base;
  }

  function bounds(): ParameterBounds {
    const b: Record<string, readonly [number, number]> = { ...DEFAULT_BOUNDS, ...(form.soilTerm === 'linear' ? LINEAR_BOUNDS : {}) } as Record<string, readonly [number, number]>;
    for (const [k, v] of Object.entries(params.bounds)) {
      if (!v || v.length !== 2 || !(v[0] <= v[1])) throw usageError('invalid parameter bounds', { path: `${WCM_PLUGIN_ID}.bounds.${k}`, expected: '[lower, upper] with lower ≤ upper', found: JSON.stringify(v) });
      b[k] = [v[0], v[1]];
    }
    return b;
  }

  function samplesFor(input: InverterInput, stack: RadarStack): CalibrationSamples {
    const mode = params.calibration === 'auto' ? (input.reference ? 'reference' : 'stations') : params.calibration;
    const normaliseTo = form.angle === 'normalise' ? form.referenceAngle : undefined;
    if (mode === 'reference') {
      if (!input.reference) throw inputError('calibration against a reference product needs one', { path: `${WCM_PLUGIN_ID}.inputs.reference`, expected: 'a reference SM series (e.g. the 1 km downscaled product)', found: 'none' });
      return referenceSamples(stack, input.reference, { toleranceDays: params.toleranceDays, minValidFraction: params.minValidFraction, normaliseTo });
    }
    if (!input.stations) throw inputError('no calibration data', { path: `${WCM_PLUGIN_ID}.inputs`, expected: 'a `reference` SM series or `stations`', found: 'neither' });
    return stationSamples(stack, input.stations, { toleranceDays: params.toleranceDays, window: params.stationWindow, normaliseTo });
  }

  const limits: InversionLimits = { smMin: params.smMin, smMax: params.smMax, minGamma2: params.minTransmissivity };

  return {
    async calibrate(input: InverterInput): Promise<Calibration> {
      const stack = buildRadarStack(input, stackOptions);
      const samples = samplesFor(input, stack);
      const notes: string[] = [];
      if (samples.unmatchedDates.length) notes.push(`${samples.unmatchedDates.length} radar date(s) had no ${samples.source} value within ${params.toleranceDays} day(s): ${samples.unmatchedDates.slice(0, 5).join(', ')}${samples.unmatchedDates.length > 5 ? '…' : ''}`);
      const names = fitted();
      const groups = groupSamples(samples, params.perClass, params.perOrbit);
      const sets: WcmParameterSet[] = [];
      const rows: Record<string, string | number | boolean | null>[] = [];
      for (const group of groups) {
        if (group.indices.length < Math.max(params.minSamples, names.length + 1)) {
          if (group.key === 'all') {
            throw inputError('too few calibration samples', { path: `${WCM_PLUGIN_ID}.calibration`, expected: `at least ${Math.max(params.minSamples, names.length + 1)} co-located (σ⁰, descriptor, SM) samples`, found: `${group.indices.length} from ${samples.source}` });
          }
          notes.push(`set ${group.key}: ${group.indices.length} samples < minSamples ${params.minSamples}; its pixels use the next wider set`);
          rows.push({ set: group.key, landcover: group.landcover, orbit: group.orbit, n: group.indices.length, status: 'skipped: too few samples' });
          continue;
        }
        const sub = subset(samples, group.indices);
        const fit = fitWcm(sub, { form, fit: names, initial: initial(), bounds: bounds(), residuals: params.residuals, starts: params.starts, seed: seed + sets.length });
        sets.push({ key: group.key, landcover: group.landcover, orbit: group.orbit, parameters: fit.parameters });
        rows.push(calibrationRow(group, fit, sub, form, limits, names));
        if (fit.atBound.length) notes.push(`set ${group.key}: ${fit.atBound.join(', ')} ended on a bound`);
        if (fit.startsAgreeing < fit.startsRun) notes.push(`set ${group.key}: ${fit.startsAgreeing}/${fit.startsRun} starts reached the best minimum (others stopped in local minima)`);
        context.logger.info(`${WCM_PLUGIN_ID}: set ${group.key}: n=${fit.n} RMSE=${fit.rmseDb.toFixed(3)} dB R²=${fit.r2.toFixed(3)}`);
      }
      const columns = ['set', 'landcover', 'orbit', 'source', 'n', ...WCM_PARAMETER_NAMES.flatMap((p) => [p, `${p}_se`]), 'C_linear', 'D_linear', 'rmse_db', 'r2', 'sm_rmse', 'sm_r', 'iterations', 'converged', 'starts_agreeing', 'starts', 'at_bound', 'status'];
      const data: WcmModelData = { form, sets };
      const model = createSavedModel({ id: WCM_PLUGIN_ID, version: WCM_PLUGIN_VERSION }, { params, data });
      return { model, tables: { calibration: recordTable(rows.map((r) => ({ source: samples.source, ...r })), columns, notes) }, notes };
    },

    async invert(input: InverterInput, saved: SavedModel) {
      const data = readModel(saved);
      const stack = buildRadarStack(input, stackOptions);
      const notes: string[] = [];
      const { sm, outcome } = await invertTiles(context, stack, saved, params.multilook, limits);
      const rows = stack.dates.map((item, d) => {
        const { orbitUsed } = selectSets(data, item.orbit, undefined, 0);
        let sum = 0;
        let k = 0;
        for (const v of sm.values[d]) if (v === v) { sum += v; k++; }
        return { date: item.date, orbit: orbitUsed, ...countOutcomes(outcome.values[d], item.masked), mean_sm: k ? sum / k : null };
      });
      const swamped = rows.reduce((s, r) => s + Number(r.vegetationDominated), 0);
      if (swamped > 0) notes.push(`${swamped} pixel-dates vegetation-dominated (σ⁰soil ≤ 0 or γ² < ${params.minTransmissivity}): NaN`);
      const columns = ['date', 'orbit', 'valid', 'clippedLow', 'clippedHigh', 'vegetationDominated', 'masked', 'noData', 'mean_sm'];
      return { product: sm, tables: { inversion: recordTable(rows, columns, notes) }, notes };
    },
  };
}

interface SampleGroup {
  readonly key: string;
  readonly landcover: number | null;
  readonly orbit: number | null;
  readonly indices: number[];
}

/** The pooled set first, then per orbit, per class, per (class, orbit) as configured. */
function groupSamples(s: CalibrationSamples, perClass: boolean, perOrbit: boolean): SampleGroup[] {
  const all = Array.from(s.sm, (_, i) => i);
  const groups: SampleGroup[] = [{ key: 'all', landcover: null, orbit: null, indices: all }];
  const by = (f: (i: number) => [number | null, number | null]) => {
    const m = new Map<string, SampleGroup>();
    for (const i of all) {
      const [lc, orbit] = f(i);
      if (lc !== null && !(lc === lc)) continue;
      const key = setKey(lc, orbit);
      let g = m.get(key);
      if (!g) m.set(key, (g = { key, landcover: lc, orbit, indices: [] }));
      g.indices.push(i);
    }
    groups.push(...[...m.values()].sort((a, b) => (a.key < b.key ? -1 : 1)));
  };
  if (perOrbit) by((i) => [null, s.orbit[i]]);
  if (perClass) by((i) => [s.landcover[i], null]);
  if (perClass && perOrbit) by((i) => [s.landcover[i], s.orbit[i]]);
  return groups;
}

function subset(s: CalibrationSamples, idx: readonly number[]) {
  const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]);
  return { v: pick(s.v), theta: pick(s.theta), sm: pick(s.sm), sigmaDb: pick(s.sigmaDb) };
}

function calibrationRow(group: SampleGroup, fit: WcmFit, sub: ReturnType<typeof subset>, form: WcmForm, limits: InversionLimits, names: readonly WcmParameterName[]) {
  const row: Record<string, string | number | boolean | null> = { set: group.key, landcover: group.landcover, orbit: group.orbit, n: fit.n };
  for (const p of WCM_PARAMETER_NAMES) {
    row[p] = fit.parameters[p];
    row[`${p}_se`] = names.includes(p) ? fit.standardErrors[p] ?? null : null;
  }
  // The other soil-term parametrisation (spec §1 variant 4), for comparison with published tables.
  if (form.soilTerm === 'db') {
    row.C_linear = Math.pow(10, fit.parameters.C / 10);
    row.D_linear = (fit.parameters.D * Math.LN10) / 10;
  } else {
    row.C_linear = fit.parameters.C;
    row.D_linear = fit.parameters.D;
  }
  // Skill in SM space on the calibration samples themselves: what the inversion would give.
  const sm: number[] = [];
  const ref: number[] = [];
  for (let i = 0; i < sub.sm.length; i++) {
    const r = invertPixel(fit.parameters, form, sub.sigmaDb[i], sub.v[i], sub.theta[i], limits);
    if (r.sm === r.sm) {
      sm.push(r.sm);
      ref.push(sub.sm[i]);
    }
  }
  row.sm_rmse = sm.length ? Math.sqrt(sm.reduce((s, v, i) => s + (v - ref[i]) ** 2, 0) / sm.length) : null;
  row.sm_r = sm.length > 2 ? pearson(sm, ref) : null;
  Object.assign(row, { rmse_db: fit.rmseDb, r2: fit.r2, iterations: fit.iterations, converged: fit.converged, starts_agreeing: fit.startsAgreeing, starts: fit.startsRun, at_bound: fit.atBound.join(' '), status: 'fitted' });
  return row;
}

