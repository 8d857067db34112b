/**
 * Texture-dependent hydraulic parameters from sand and clay (Saxton & Rawls 2006, Soil Sci. Soc. Am. J. 70,
 * 1569–1578, equations 1–3, 5, 15–16 with density factor 1 and no gravel).
 */
export interface HydraulicParams {
  /** Saturated water content θS (porosity), m³/m³. */
  readonly porosity: number;
  /** Field capacity θ33 (−33 kPa), m³/m³. */
  readonly fieldCapacity: number;
  /** Wilting point θ1500 (−1500 kPa), m³/m³. */
  readonly wiltingPoint: number;
  /** Saturated conductivity, mm/h. */
  readonly ksat: number;
  /** Slope B of the ln ψ – ln θ retention curve (Clapp–Hornberger b). */
  readonly b: number;
}

/**
 * @param sandPct sand, % by weight
 * @param clayPct clay, % by weight
 * @param organicPct organic matter, % by weight
 * @example
 * ```ts
 * saxtonRawls(40, 20, 2.5); // loam: porosity ≈ 0.46, field capacity ≈ 0.26, wilting point ≈ 0.13
 * ```
 */
export function saxtonRawls(sandPct: number, clayPct: number, organicPct = 2.5): HydraulicParams {
  const S = sandPct / 100;
  const C = clayPct / 100;
  const OM = organicPct;
  const t1500t = -0.024 * S + 0.487 * C + 0.006 * OM + 0.005 * S * OM - 0.013 * C * OM + 0.068 * S * C + 0.031;
  const wiltingPoint = t1500t + (0.14 * t1500t - 0.02);
  const t33t = -0.251 * S + 0.195 * C + 0.011 * OM + 0.006 * S * OM - 0.027 * C * OM + 0.452 * S * C + 0.299;
  const fieldCapacity = t33t + (1.283 * t33t * t33t - 0.374 * t33t - 0.015);
  const tS33t = 0.278 * S + 0.034 * C + 0.022 * OM - 0.018 * S * OM - 0.027 * C * OM - 0.584 * S * C + 0.078;
  const tS33 = tS33t + (0.636 * tS33t - 0.107);
  const porosity = fieldCapacity + tS33 - 0.097 * S + 0.043;
  const b = (Math.log(1500) - Math.log(33)) / (Math.log(fieldCapacity) - Math.log(wiltingPoint));
  const lambda = 1 / b;
  const ksat = 1930 * Math.max(porosity - fieldCapacity, 0) ** (3 - lambda);
  return { porosity, fieldCapacity, wiltingPoint, ksat, b };
}

/** Matric potential of an air-dry soil, kPa: air at ≈ 50 % relative humidity and 20 °C (ψ = RT/V_w·ln RH ≈ −94 MPa). */
export const AIR_DRY_POTENTIAL_KPA = 100000;

/**
 * Air-dry water content, the lower bound of a surface layer that dries by evaporation: Saxton & Rawls's
 * 33–1500 kPa retention curve ψ = A·θ^−B (their eq. 11) extended to `AIR_DRY_POTENTIAL_KPA`, i.e.
 * θ_ad = θ1500·(1500/ψ_ad)^(1/B). Below the wilting point like a real 0–5 cm soil, and the texture spread shrinks
 * (a loam ≈ 0.05, a clay ≈ 0.14, a sand ≈ 0.02).
 *
 * @example
 * ```ts
 * airDryWaterContent(saxtonRawls(40, 20, 2)); // ≈ 0.05 (wilting point ≈ 0.12)
 * ```
 */
export function airDryWaterContent(h: Pick<HydraulicParams, 'wiltingPoint' | 'b'>): number {
  return h.wiltingPoint * (1500 / AIR_DRY_POTENTIAL_KPA) ** (1 / h.b);
}
