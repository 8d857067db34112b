/**
 * ESTARFM's valid value range [dnMin, dnMax]: it gates the regression (0.02·dnMax) and the
 * out-of-range fallback, so a wrong range silently changes most pixels (the reference's [0, 10000] DN
 * range on 0–1 reflectance, or [0, 1] on 0–10000 DN: 94 % of pixels off by > 0.5 DN). The range is
 * therefore the user's (`dnMin`/`dnMax`), or the physical range of the variables when the data lie
 * in it, or — for integer data in 0–10000 (reflectance × 10000, what Landsat/MODIS products and the
 * reference data hold) of reflectance-like variables — that DN range, as a run warning. Anything else is an error asking for
 * `dnMin`/`dnMax`.
 */
import { usageError, type Series } from '../../../core/index.js';

/**
 * Physical value ranges by vocabulary variable: ESTARFM's range gates the regression (0.02·max) and
 * the out-of-range fallback, so reflectance DN (0–10000) would disable both for soil moisture.
 */
export const PHYSICAL_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  sm: [0, 0.6],
  ndvi: [-1, 1],
  evi: [-1, 1],
  albedo: [0, 1],
  blue: [0, 1],
  green: [0, 1],
  red: [0, 1],
  nir: [0, 1],
  swir1: [0, 1],
  swir2: [0, 1],
  lst: [180, 350],
  sigma0_vv: [-50, 10],
  sigma0_vh: [-50, 10],
};

/** Reflectance scaled by 10 000, as integers (the ESTARFM reference data and most L2 products). */
const DN_RANGE: readonly [number, number] = [0, 10000];

/** Share of the range the data may overshoot it by (a few negative reflectances, SM above porosity). */
const SLACK = 0.05;

/** The physical range of a variable, also for qualified names (`sm_truth`, `ndvi_smoothed` → `sm`, `ndvi`). */
export function physicalRange(variable: string): readonly [number, number] | undefined {
  const parts = variable.split('_');
  for (let k = parts.length; k >= 1; k--) {
    const range = PHYSICAL_RANGES[parts.slice(0, k).join('_')];
    if (range) return range;
  }
  return undefined;
}

export interface ValueRange {
  readonly min: number;
  readonly max: number;
  /** How the range was chosen, for the node's notes. */
  readonly note?: string;
  /** Set when the range was inferred from the data: the caller must surface it as a run warning. */
  readonly warning?: { readonly code: string; readonly message: string };
}

/** Observed min/max over valid values (not NaN, not `background`) and whether all are integers. */
export function observedValues(series: readonly Series[], background: number): { min: number; max: number; integer: boolean; count: number } {
  let min = Infinity;
  let max = -Infinity;
  let integer = true;
  let count = 0;
  for (const s of series) {
    for (const a of s.values) {
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (v !== v || v === background) continue;
        if (v < min) min = v;
        if (v > max) max = v;
        if (integer && v !== Math.round(v)) integer = false;
        count++;
      }
    }
  }
  return { min, max, integer, count };
}

function inside(lo: number, hi: number, range: readonly [number, number]): boolean {
  const slack = SLACK * (range[1] - range[0]);
  return lo >= range[0] - slack && hi <= range[1] + slack;
}

/**
 * The value range for the fine and coarse series (see the file comment).
 *
 * @throws SoilscaleError (usage) naming `dnMin`/`dnMax`, the variables and the observed values when
 * the range cannot be told from the data.
 * @example
 * ```ts
 * valueRange({}, [green, red, nir], [gC, rC, nC], -9999);
 * // 0–10000 int data: { min: 0, max: 10000, warning: { code: 'estarfm-range-inferred', … } }
 * // 0–1 float data:   { min: 0, max: 1, note: 'value range [0, 1] from the physical range of green, red, nir' }
 * ```
 */
export function valueRange(params: { readonly dnMin?: number; readonly dnMax?: number }, fine: readonly Series[], coarse: readonly Series[], background: number): ValueRange {
  if (params.dnMin !== undefined && params.dnMax !== undefined) return { min: params.dnMin, max: params.dnMax };
  const variables = fine.map((f) => f.variable);
  const names = [...new Set(variables)].join(', ');
  const seen = observedValues([...fine, ...coarse], background);
  const found = seen.count === 0 ? 'no valid values' : `${seen.integer ? 'integer ' : ''}values in [${seen.min}, ${seen.max}]`;
  const known = variables.map(physicalRange);
  if (known.every((r) => r !== undefined)) {
    const physical: [number, number] = [Math.min(...known.map((r) => r![0])), Math.max(...known.map((r) => r![1]))];
    if (seen.count > 0 && inside(seen.min, seen.max, physical)) {
      const min = params.dnMin ?? physical[0];
      const max = params.dnMax ?? physical[1];
      return { min, max, note: `value range [${min}, ${max}] from the physical range of ${names} (the data lie in it)` };
    }
  }
  // Reflectance × 10000 only where a reflectance can be meant: optical bands/albedo, or unknown names.
  const reflectanceLike = known.every((r) => r === undefined || (r[0] === 0 && r[1] === 1));
  if (reflectanceLike && seen.count > 0 && seen.integer && inside(seen.min, seen.max, DN_RANGE) && seen.max > 1.5 * SLACK * DN_RANGE[1]) {
    const min = params.dnMin ?? DN_RANGE[0];
    const max = params.dnMax ?? DN_RANGE[1];
    return {
      min,
      max,
      note: `value range [${min}, ${max}] inferred from the data (${found}: reflectance × 10000)`,
      warning: { code: 'estarfm-range-inferred', message: `fuser:estarfm: ${names} hold ${found}, read as reflectance × 10000: using the value range [${min}, ${max}]; set dnMin/dnMax to choose it` },
    };
  }
  throw usageError('fuser:estarfm cannot tell the valid value range of the data; set dnMin and dnMax', {
    path: 'dnMin/dnMax',
    expected: known.every((r) => r !== undefined) ? `values inside the physical range of ${names}, integer reflectance × 10000, or explicit dnMin/dnMax` : `dnMin/dnMax for ${names} (no physical range is known for it)`,
    found: found,
  });
}
