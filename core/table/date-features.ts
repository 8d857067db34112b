import { inputError } from '../errors.js';

/** Calendar features a table may carry: none, day of year as sin/cos, or one-hot meteorological season. */
export type DateFeatureMode = 'none' | 'doy' | 'season';

const SEASONS = ['season_djf', 'season_mam', 'season_jja', 'season_son'] as const;

/** Column names the mode adds, in order. */
export function dateFeatureColumns(mode: DateFeatureMode): readonly string[] {
  return mode === 'doy' ? ['doy_sin', 'doy_cos'] : mode === 'season' ? SEASONS : [];
}

/** Days since 1970-01-01 of an ISO calendar date (`YYYY-MM-DD`, time part ignored). */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) throw inputError('not an ISO calendar date', { path: 'date', expected: 'YYYY-MM-DD', found: date });
  return Math.round(Date.UTC(+m[1], +m[2] - 1, +m[3]) / 86400000);
}

/** Day of year, 1-based (1 January = 1). */
export function dayOfYearOf(date: string): number {
  return dayNumber(date) - dayNumber(`${date.slice(0, 4)}-01-01`) + 1;
}

/**
 * Values of the date features for `date`. `doy`: `sin(2π(d−1)/n)`, `cos(2π(d−1)/n)` with `n` days in the
 * year, so 31 December and 1 January are neighbours. `season`: one-hot DJF/MAM/JJA/SON (northern
 * meteorological seasons).
 *
 * @example
 * ```ts
 * dateFeatureValues('2024-01-01', 'doy');    // [0, 1]
 * dateFeatureValues('2024-07-15', 'season'); // [0, 0, 1, 0]
 * ```
 */
export function dateFeatureValues(date: string, mode: DateFeatureMode): number[] {
  if (mode === 'none') return [];
  if (mode === 'doy') {
    const year = +date.slice(0, 4);
    const n = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 366 : 365;
    const a = (2 * Math.PI * (dayOfYearOf(date) - 1)) / n;
    return [Math.sin(a), Math.cos(a)];
  }
  const month = +date.slice(5, 7);
  const s = Math.floor((month % 12) / 3); // Dec, Jan, Feb → 0
  return [0, 1, 2, 3].map((i) => (i === s ? 1 : 0));
}
