/**
 * The Water Cloud Model (Attema & Ulaby 1978) in linear power units, with the variants of
 * `docs/wcm.md`: power-law descriptors (E, F), no descriptor in the volume term, a soil term in dB
 * (`C + D·SM`) or linear (`C·e^{D·SM}`), and an angle-dependent C (`C + C1·(θ − θref)`).
 */

/** Names of every WCM parameter; which are fitted depends on the form. */
export const WCM_PARAMETER_NAMES = ['A', 'B', 'C', 'D', 'C1', 'E', 'F'] as const;
export type WcmParameterName = (typeof WCM_PARAMETER_NAMES)[number];
export type WcmParameters = Readonly<Record<WcmParameterName, number>>;

/** How the model is written; fixed for a calibration and saved with the parameters. */
export interface WcmForm {
  /** `descriptor`: σ⁰veg = A·V^E·cosθ·(1−γ²); `constant`: σ⁰veg = A·cosθ·(1−γ²) (Prévot 1993 as in `sense`). */
  readonly volumeTerm: 'descriptor' | 'constant';
  /** `db`: σ⁰soil = 10^((C + D·SM)/10), C in dB, D in dB per m³/m³; `linear`: σ⁰soil = C·exp(D·SM). */
  readonly soilTerm: 'db' | 'linear';
  /**
   * `cosine`: θ only through cosθ (base model); `normalise`: σ⁰ scaled to θref with the cosine-squared
   * law before fitting and inverting; `angle-dependent-c`: C(θ) = C + C1·(θ − θref) (dB form).
   */
  readonly angle: 'cosine' | 'normalise' | 'angle-dependent-c';
  /** Reference incidence angle, degrees (for `normalise` and `angle-dependent-c`). */
  readonly referenceAngle: number;
}

export const DEFAULT_FORM: WcmForm = { volumeTerm: 'descriptor', soilTerm: 'db', angle: 'cosine', referenceAngle: 37 };

const LN10_10 = Math.LN10 / 10;
const DEG = Math.PI / 180;

/** Intermediate terms of one forward evaluation (linear power units). */
export interface WcmTerms {
  /** Two-way canopy transmissivity γ². */
  gamma2: number;
  veg: number;
  soil: number;
  total: number;
}

/**
 * Forward model: total σ⁰ (linear) and its terms, for descriptor `v` (≥ 0), incidence `thetaDeg`
 * (degrees) and soil moisture `sm` (m³/m³). Writes into `out` to stay allocation-free in loops.
 *
 * @example
 * ```ts
 * const t = wcmTerms({ A: 0.1, B: 0.4, C: -18, D: 25, C1: 0, E: 1, F: 1 }, DEFAULT_FORM, 0.8, 40, 0.25);
 * 10 * Math.log10(t.total); // -11.9592321095
 * ```
 */
export function wcmTerms(p: WcmParameters, form: WcmForm, v: number, thetaDeg: number, sm: number, out: WcmTerms = { gamma2: 0, veg: 0, soil: 0, total: 0 }): WcmTerms {
  const theta = form.angle === 'normalise' ? form.referenceAngle : thetaDeg;
  const c = Math.cos(theta * DEG);
  const v1 = form.volumeTerm === 'descriptor' ? pow(v, p.E) : 1;
  const v2 = pow(v, p.F);
  const g = Math.exp((-2 * p.B * v2) / c);
  const veg = p.A * v1 * c * (1 - g);
  const soil = soilBackscatter(p, form, thetaDeg, sm);
  out.gamma2 = g;
  out.veg = veg;
  out.soil = soil;
  out.total = veg + g * soil;
  return out;
}

/** σ⁰soil (linear) for the form's soil term. */
export function soilBackscatter(p: WcmParameters, form: WcmForm, thetaDeg: number, sm: number): number {
  if (form.soilTerm === 'linear') return p.C * Math.exp(p.D * sm);
  const angleTerm = form.angle === 'angle-dependent-c' ? p.C1 * (thetaDeg - form.referenceAngle) : 0;
  return Math.pow(10, (p.C + angleTerm + p.D * sm) / 10);
}

/** Total σ⁰ in dB. */
export function wcmForwardDb(p: WcmParameters, form: WcmForm, v: number, thetaDeg: number, sm: number): number {
  return 10 * Math.log10(wcmTerms(p, form, v, thetaDeg, sm).total);
}

/**
 * Partial derivatives of the total linear σ⁰ with respect to every parameter (order of
 * `WCM_PARAMETER_NAMES`), written into `grad`; returns the total. Used for the Jacobian of the fit.
 */
export function wcmGradient(p: WcmParameters, form: WcmForm, v: number, thetaDeg: number, sm: number, grad: Float64Array): number {
  const theta = form.angle === 'normalise' ? form.referenceAngle : thetaDeg;
  const c = Math.cos(theta * DEG);
  const lnV = v > 0 ? Math.log(v) : 0; // V^E·ln V → 0 as V → 0
  const v1 = form.volumeTerm === 'descriptor' ? pow(v, p.E) : 1;
  const v2 = pow(v, p.F);
  const g = Math.exp((-2 * p.B * v2) / c);
  const soil = soilBackscatter(p, form, thetaDeg, sm);
  const vegPerA = v1 * c * (1 - g);
  // ∂total/∂γ² = soil − A·v1·c (γ² enters veg as −A·v1·c·γ² and soil as γ²·soil).
  const dTotDg = soil - p.A * v1 * c;
  const dgdB = (g * -2 * v2) / c;
  grad[0] = vegPerA;
  grad[1] = dTotDg * dgdB;
  if (form.soilTerm === 'linear') {
    grad[2] = g * Math.exp(p.D * sm);
    grad[3] = g * soil * sm;
    grad[4] = 0;
  } else {
    grad[2] = g * soil * LN10_10;
    grad[3] = g * soil * LN10_10 * sm;
    grad[4] = form.angle === 'angle-dependent-c' ? g * soil * LN10_10 * (thetaDeg - form.referenceAngle) : 0;
  }
  grad[5] = form.volumeTerm === 'descriptor' ? p.A * c * (1 - g) * v1 * lnV : 0;
  grad[6] = dTotDg * ((g * -2 * p.B) / c) * v2 * lnV;
  return p.A * vegPerA + g * soil;
}

/** Why a pixel has no SM: the inversion's flags, counted per date in the inversion table. */
export const enum InversionStatus {
  Valid = 0,
  ClippedLow = 1,
  ClippedHigh = 2,
  /** σ⁰veg ≥ σ⁰tot or γ² below the transmissivity threshold: the soil signal is swamped. */
  VegetationDominated = 3,
  NoData = 4,
}

/**
 * Closed-form inversion of one pixel: SM from σ⁰ (dB), descriptor and incidence, clipped to
 * [smMin, smMax]. Returns NaN when the soil signal is swamped (σ⁰soil ≤ 0 or γ² < minGamma2).
 *
 * @example
 * ```ts
 * invertPixel(truth, DEFAULT_FORM, -12, 0.8, 40, { smMin: 0, smMax: 1, minGamma2: 0 }).sm; // 0.24639628
 * ```
 */
export function invertPixel(
  p: WcmParameters,
  form: WcmForm,
  sigmaDb: number,
  v: number,
  thetaDeg: number,
  limits: { readonly smMin: number; readonly smMax: number; readonly minGamma2: number },
): { sm: number; status: InversionStatus; soil: number } {
  if (!(sigmaDb === sigmaDb && v === v && thetaDeg === thetaDeg)) return { sm: Number.NaN, status: InversionStatus.NoData, soil: Number.NaN };
  const theta = form.angle === 'normalise' ? form.referenceAngle : thetaDeg;
  let total = Math.pow(10, sigmaDb / 10);
  if (form.angle === 'normalise') total *= cosSquaredRatio(thetaDeg, form.referenceAngle);
  const c = Math.cos(theta * DEG);
  const v1 = form.volumeTerm === 'descriptor' ? pow(v, p.E) : 1;
  const g = Math.exp((-2 * p.B * pow(v, p.F)) / c);
  const soil = (total - p.A * v1 * c * (1 - g)) / g;
  if (!(soil > 0) || g < limits.minGamma2) return { sm: Number.NaN, status: InversionStatus.VegetationDominated, soil };
  let sm: number;
  if (form.soilTerm === 'linear') sm = Math.log(soil / p.C) / p.D;
  else {
    const angleTerm = form.angle === 'angle-dependent-c' ? p.C1 * (thetaDeg - form.referenceAngle) : 0;
    sm = (10 * Math.log10(soil) - p.C - angleTerm) / p.D;
  }
  if (sm < limits.smMin) return { sm: limits.smMin, status: InversionStatus.ClippedLow, soil };
  if (sm > limits.smMax) return { sm: limits.smMax, status: InversionStatus.ClippedHigh, soil };
  return { sm, status: InversionStatus.Valid, soil };
}

/** cos²θref / cos²θ: the factor that brings a linear σ⁰ observed at θ to θref (cosine-squared law). */
export function cosSquaredRatio(thetaDeg: number, referenceDeg: number): number {
  const a = Math.cos(referenceDeg * DEG);
  const b = Math.cos(thetaDeg * DEG);
  return (a * a) / (b * b);
}

/** v^e with v ≤ 0 → 0 and e = 1 exact (the common case stays a plain multiply). */
function pow(v: number, e: number): number {
  if (v <= 0) return 0;
  return e === 1 ? v : Math.pow(v, e);
}
