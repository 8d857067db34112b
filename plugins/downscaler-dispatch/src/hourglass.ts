/**
 * DISPATCH's partition of land-surface temperature into soil and vegetation temperatures in the
 * LST–fv trapezoid ("hourglass", `../shared/docs/methods/dispatch.md` §3.3–3.4).
 */

/** The four corners of the LST–fv trapezoid, in kelvin. */
export interface EndMembers {
  readonly tsMin: number;
  readonly tsMax: number;
  readonly tvMin: number;
  readonly tvMax: number;
}

/** Hourglass zones: A soil-dominated, B dry side, C wet side, D vegetation-dominated (no soil temperature). */
export const enum Zone {
  A = 1,
  B = 2,
  C = 3,
  D = 4,
}

/** Fractional vegetation cover from NDVI, clipped to [0, 1]; NaN stays NaN. */
export function vegetationCover(ndvi: number, ndviSoil: number, ndviVeg: number): number {
  if (!(ndvi === ndvi)) return Number.NaN;
  const f = (ndvi - ndviSoil) / (ndviVeg - ndviSoil);
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/** fv where the diagonals P1–P4 and P2–P3 cross. */
export function crossingCover(e: EndMembers): number {
  const s = e.tsMax - e.tsMin;
  return s / (s + (e.tvMax - e.tvMin));
}

/** Below this cover a pixel is bare soil: Ts = LST (never divide by a vanishing 1 − fv… or fv). */
const BARE = 1e-9;

export interface SoilTemperature {
  zone: Zone;
  /** Soil temperature (K); NaN in zone D. */
  ts: number;
  /** Vegetation temperature (K), for reports; NaN where undefined. */
  tv: number;
}

/**
 * Zone, vegetation and soil temperature of one pixel. In zones B/C the product fv·Tv is formed
 * without dividing by fv (spec numerics); bare pixels (fv ≈ 0) take Ts = LST.
 *
 * @example
 * ```ts
 * const e = { tsMin: 295, tsMax: 325, tvMin: 293, tvMax: 305 };
 * soilTemperature(318, 1 / 15, e, crossingCover(e)); // { zone: A, tv: 299, ts: 319.357… }
 * ```
 */
export function soilTemperature(lst: number, fv: number, e: EndMembers, fvCross: number, out: SoilTemperature = { zone: Zone.A, ts: 0, tv: 0 }): SoilTemperature {
  if (fv < BARE) {
    out.zone = Zone.A;
    out.ts = lst;
    out.tv = Number.NaN;
    return out;
  }
  const y14 = e.tsMax + (e.tvMin - e.tsMax) * fv;
  const y23 = e.tsMin + (e.tvMax - e.tsMin) * fv;
  let fvTv: number;
  if (lst >= Math.max(y14, y23)) {
    out.zone = Zone.B;
    fvTv = 0.5 * (lst - (1 - fv) * e.tsMax + fv * e.tvMax);
  } else if (lst <= Math.min(y14, y23)) {
    out.zone = Zone.C;
    fvTv = 0.5 * (lst - (1 - fv) * e.tsMin + fv * e.tvMin);
  } else if (fv < fvCross) {
    out.zone = Zone.A;
    fvTv = fv * 0.5 * (e.tvMin + e.tvMax);
  } else {
    out.zone = Zone.D;
    out.ts = Number.NaN;
    out.tv = Number.NaN;
    return out;
  }
  out.tv = fvTv / fv;
  out.ts = fv < 1 ? (lst - fvTv) / (1 - fv) : Number.NaN;
  return out;
}

/** Soil evaporative efficiency (Ts,max − Ts)/(Ts,max − Ts,min); not clipped here. */
export function soilEvaporativeEfficiency(ts: number, e: EndMembers): number {
  return (e.tsMax - ts) / (e.tsMax - e.tsMin);
}
