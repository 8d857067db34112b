/**
 * Time-series planning: which base pairs predict each target date.
 *
 * ESTARFM needs two base pairs (fine + coarse on the same date). For a target between two usable pairs
 * it takes the nearest pair before and the nearest after. Outside the pairs' span, or with a single
 * usable pair, it falls back explicitly (`outsideSpan`), and every target's choice is recorded.
 */
import { daysBetween } from '../../../core/index.js';

/** What to do for a target date that has no usable pair on one side. */
export type OutsideSpan = 'nearest-two' | 'nearest-one' | 'nodata';

export type PlanMethod =
  /** A fine image exists on the date: passed through unchanged. */
  | 'fine'
  /** Nearest usable pair before and after. */
  | 'pair'
  /** Outside the span: the two nearest usable pairs on the same side (ESTARFM extrapolating). */
  | 'extrapolate'
  /** One pair used twice (V = 1, T = ½): F0 = F1 + Σ W·(C0 − C1) over similar pixels. */
  | 'single-pair'
  /** No prediction (written as nodata). */
  | 'nodata';

export interface PlanEntry {
  readonly date: string;
  readonly method: PlanMethod;
  /** Base dates (equal for `single-pair`; absent for `fine` and `nodata`). */
  readonly base1?: string;
  readonly base2?: string;
  readonly note?: string;
}

/**
 * Choose base pairs for every target date.
 *
 * @param targets dates to produce (ascending)
 * @param fineDates dates with a fine image (passed through)
 * @param pairDates dates usable as base pairs (a fine and a coarse image, enough valid pixels), ascending
 *
 * @example
 * ```ts
 * planFusion(['2024-06-02', '2024-06-09'], ['2024-06-01', '2024-06-05'], ['2024-06-01', '2024-06-05'], 'nearest-two');
 * // [{ date: '2024-06-02', method: 'pair', base1: '2024-06-01', base2: '2024-06-05' },
 * //  { date: '2024-06-09', method: 'extrapolate', base1: '2024-06-01', base2: '2024-06-05', note: ... }]
 * ```
 */
export function planFusion(
  targets: readonly string[],
  fineDates: readonly string[],
  pairDates: readonly string[],
  outsideSpan: OutsideSpan,
): PlanEntry[] {
  const fine = new Set(fineDates);
  return targets.map((date): PlanEntry => {
    if (fine.has(date)) return { date, method: 'fine' };
    const before = pairDates.filter((d) => d < date);
    const after = pairDates.filter((d) => d > date);
    if (before.length > 0 && after.length > 0) return { date, method: 'pair', base1: before[before.length - 1], base2: after[0] };
    if (pairDates.length === 0) return { date, method: 'nodata', note: 'no usable base pair' };
    const side = before.length > 0 ? 'after the last' : 'before the first';
    if (outsideSpan === 'nodata') return { date, method: 'nodata', note: `${side} base pair (outsideSpan: nodata)` };
    // Nearest pairs on the available side, nearest first.
    const nearest = before.length > 0 ? [...before].reverse() : after;
    if (outsideSpan === 'nearest-two' && nearest.length >= 2) {
      const [a, b] = [nearest[0], nearest[1]].sort();
      return { date, method: 'extrapolate', base1: a, base2: b, note: `${side} base pair: two nearest pairs on one side` };
    }
    const why = pairDates.length === 1 ? 'only one usable base pair' : `${side} base pair`;
    return { date, method: 'single-pair', base1: nearest[0], base2: nearest[0], note: `${why}: single-pair prediction` };
  });
}

/** Days from the target to each base date, for the pairs table. */
export function baseDistances(entry: PlanEntry): { days1: number | null; days2: number | null } {
  return {
    days1: entry.base1 ? daysBetween(entry.base1, entry.date) : null,
    days2: entry.base2 ? daysBetween(entry.base2, entry.date) : null,
  };
}
