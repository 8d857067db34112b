import type { RadarDate } from './radar-stack.js';
import type { WcmForm, WcmParameters } from './wcm-model.js';

export interface InversionLimits {
  readonly smMin: number;
  readonly smMax: number;
  /** Vegetation-swamping criterion: γ² below this → no SM (sensitivity ∂σ⁰/∂SM scales with γ²). */
  readonly minGamma2: number;
}

/** Pixel counts of one inverted date, by outcome. */
export interface InversionCounts {
  valid: number;
  clippedLow: number;
  clippedHigh: number;
  vegetationDominated: number;
  masked: number;
  noData: number;
}

/** What happened to a pixel, as `invertDate` writes it into `outcome` (so counts can be made after tiles are assembled). */
export const Outcome = { valid: 0, clippedLow: 1, clippedHigh: 2, vegetationDominated: 3, noData: 4 } as const;

/** The counts of one date from its outcome codes; `masked` pixels (σ⁰ blanked by a mask) are counted as no data by `invertDate` and taken out here as there. */
export function countOutcomes(outcome: Float32Array, masked: number): InversionCounts {
  const tally = [0, 0, 0, 0, 0];
  for (let p = 0; p < outcome.length; p++) tally[outcome[p]]++;
  return { valid: tally[0], clippedLow: tally[1], clippedHigh: tally[2], vegetationDominated: tally[3], masked, noData: tally[4] - masked };
}

const DEG = Math.PI / 180;
const LOG10_TO_DB = 10 / Math.LN10;

/**
 * Closed-form inversion of one radar date over the whole grid, in one tight loop over typed arrays.
 * `setOfPixel[p]` selects the parameter set of pixel p (per land-cover class); −1 → no set (NaN).
 * σ⁰ is taken from `sigmaLinear` (already multilooked/masked), so no dB→linear per pixel here.
 * `outcome`, when given, receives each pixel's {@link Outcome} code.
 *
 * @example
 * ```ts
 * const sm = new Float32Array(n);
 * const counts = invertDate(item, item.sigmaLinear, sets, setOfPixel, form, limits, undefined, sm);
 * ```
 */
export function invertDate(
  item: RadarDate,
  sigmaLinear: Float32Array,
  sets: readonly WcmParameters[],
  setOfPixel: Int32Array | undefined,
  form: WcmForm,
  limits: InversionLimits,
  porosity: Float32Array | undefined,
  out: Float32Array,
  outcome?: Float32Array,
): InversionCounts {
  const counts: InversionCounts = { valid: 0, clippedLow: 0, clippedHigh: 0, vegetationDominated: 0, masked: item.masked, noData: 0 };
  const n = out.length;
  const normalise = form.angle === 'normalise';
  const angleC = form.angle === 'angle-dependent-c' && form.soilTerm === 'db';
  const withDescriptor = form.volumeTerm === 'descriptor';
  const linearSoil = form.soilTerm === 'linear';
  const ref = form.referenceAngle;
  const cosRef = Math.cos(ref * DEG);
  const v = item.descriptor;
  const theta = item.incidence;
  for (let p = 0; p < n; p++) {
    const total0 = sigmaLinear[p];
    const s = setOfPixel ? setOfPixel[p] : 0;
    if (!(total0 === total0) || s < 0) {
      out[p] = Number.NaN;
      counts.noData++;
      if (outcome) outcome[p] = Outcome.noData;
      continue;
    }
    const q = sets[s];
    const th = theta[p];
    let c: number;
    let total = total0;
    if (normalise) {
      const ct = Math.cos(th * DEG);
      total *= (cosRef * cosRef) / (ct * ct);
      c = cosRef;
    } else c = Math.cos(th * DEG);
    const vp = v[p] > 0 ? v[p] : 0;
    const v1 = withDescriptor ? (q.E === 1 ? vp : vp > 0 ? Math.pow(vp, q.E) : 0) : 1;
    const v2 = q.F === 1 ? vp : vp > 0 ? Math.pow(vp, q.F) : 0;
    const g = Math.exp((-2 * q.B * v2) / c);
    const soil = (total - q.A * v1 * c * (1 - g)) / g;
    if (!(soil > 0) || g < limits.minGamma2) {
      out[p] = Number.NaN;
      counts.vegetationDominated++;
      if (outcome) outcome[p] = Outcome.vegetationDominated;
      continue;
    }
    let sm = linearSoil ? Math.log(soil / q.C) / q.D : (LOG10_TO_DB * Math.log(soil) - q.C - (angleC ? q.C1 * (th - ref) : 0)) / q.D;
    const hi = porosity !== undefined && porosity[p] === porosity[p] ? Math.min(porosity[p], limits.smMax) : limits.smMax;
    let code: number = Outcome.valid;
    if (sm < limits.smMin) {
      sm = limits.smMin;
      counts.clippedLow++;
      code = Outcome.clippedLow;
    } else if (sm > hi) {
      sm = hi;
      counts.clippedHigh++;
      code = Outcome.clippedHigh;
    } else counts.valid++;
    out[p] = sm;
    if (outcome) outcome[p] = code;
  }
  counts.noData -= item.masked; // masked pixels reach here as NaN σ⁰ too
  return counts;
}

