import { inputError } from '../errors.js';

const MS_PER_DAY = 86_400_000;

/**
 * Days since 1970-01-01 (UTC) of an ISO calendar date `YYYY-MM-DD`.
 *
 * @throws SoilscaleError (input) when the text is not a valid calendar date.
 * @example
 * ```ts
 * parseDate('1970-01-02'); // 1
 * parseDate('2024-03-01') - parseDate('2024-02-28'); // 2 (leap year)
 * ```
 */
export function parseDate(date: string): number {
  const m = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear keeps them.
    if (y < 100) back.setUTCFullYear(y);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) {
      return Math.round(back.getTime() / MS_PER_DAY);
    }
  }
  throw inputError('invalid date', { path: 'date', expected: 'a calendar date YYYY-MM-DD', found: JSON.stringify(date) });
}

/**
 * The ISO date `YYYY-MM-DD` of a day count since 1970-01-01 (inverse of `parseDate`).
 *
 * @example
 * ```ts
 * formatDate(19723); // '2024-01-01'
 * ```
 */
export function formatDate(days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`formatDate needs whole days, got ${days}`);
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Days from `a` to `b` (negative when `b` is earlier). `daysBetween('2024-01-01', '2024-01-31')` is 30. */
export function daysBetween(a: string, b: string): number {
  return parseDate(b) - parseDate(a);
}

/** Day of the year, 1 on 1 January. `dayOfYear('2024-12-31')` is 366. */
export function dayOfYear(date: string): number {
  return parseDate(date) - parseDate(`${date.slice(0, 4)}-01-01`) + 1;
}

/** Meteorological seasons (northern-hemisphere naming, by calendar months). */
export type Season = 'DJF' | 'MAM' | 'JJA' | 'SON';

const SEASON_OF_MONTH: readonly Season[] = ['DJF', 'DJF', 'MAM', 'MAM', 'MAM', 'JJA', 'JJA', 'JJA', 'SON', 'SON', 'SON', 'DJF'];

/** The meteorological season of a date: `seasonOf('2024-12-05')` is `'DJF'`. */
export function seasonOf(date: string): Season {
  parseDate(date);
  return SEASON_OF_MONTH[Number(date.slice(5, 7)) - 1];
}

/**
 * Index of the date in `dates` closest to `target` (the earlier one on ties), or -1 when none lies
 * within `maxDays` (default: no limit) or `dates` is empty.
 *
 * @example
 * ```ts
 * nearestDateIndex(['2024-06-01', '2024-06-09'], '2024-06-04'); // 0
 * nearestDateIndex(['2024-06-01', '2024-06-09'], '2024-06-05', 2); // -1
 * ```
 */
export function nearestDateIndex(dates: readonly string[], target: string, maxDays = Infinity): number {
  const t = parseDate(target);
  let best = -1;
  let bestDist = Infinity;
  for (let i = 0; i < dates.length; i++) {
    const d = Math.abs(parseDate(dates[i]) - t);
    if (d < bestDist || (d === bestDist && dates[i] < dates[best])) {
      best = i;
      bestDist = d;
    }
  }
  return bestDist <= maxDays ? best : -1;
}

/**
 * Index of the entry of ascending `days` (day numbers, `parseDate`) nearest to `t` within `maxDays` (the earlier
 * one on ties), or −1: a binary search, for matching long series (`nearestDateIndex` scans unsorted date strings).
 */
export function nearestDay(days: readonly number[], t: number, maxDays: number): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  let best = -1;
  let bestDist = Infinity;
  for (const j of [lo - 1, lo]) {
    if (j < 0 || j >= days.length) continue;
    const dist = Math.abs(days[j] - t);
    if (dist < bestDist) {
      best = j;
      bestDist = dist;
    }
  }
  return bestDist <= maxDays ? best : -1;
}
