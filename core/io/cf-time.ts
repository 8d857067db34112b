/**
 * The UTC calendar date (`YYYY-MM-DD`) of a CF time value such as `17162` with units
 * `days since 1970-01-01 00:00:00 UTC`. Undefined when the units are not `<unit> since <date>` or
 * the calendar is not the standard (Gregorian) one.
 *
 * @example
 * ```ts
 * assert.equal(cfDate(17162, 'days since 1970-01-01 00:00:00 UTC'), '2016-12-27');
 * ```
 */
export function cfDate(value: number, units: string | undefined, calendar = 'standard'): string | undefined {
  if (!units || !Number.isFinite(value) || !['standard', 'gregorian', 'proleptic_gregorian'].includes(calendar.toLowerCase())) return undefined;
  const m = /^\s*(seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|d)\s+since\s+(\d{4}-\d{1,2}-\d{1,2})(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(?:UTC|Z|GMT|[+-]00:?00)?\s*$/i.exec(units);
  if (!m) return undefined;
  const [y, mo, d] = m[2].split('-').map(Number);
  const [hh, mm, ss] = (m[3] ?? '0:00:00').split(':').map(Number);
  const epoch = Date.UTC(y, mo - 1, d, hh, mm, 0) + (ss ?? 0) * 1000;
  const unit = m[1].toLowerCase()[0];
  const ms = unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000;
  const t = epoch + value * ms;
  return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : undefined;
}

/** `YYYY-MM-DD` of the `YYYYMMDD` in capture group `group` of `pattern`, when it is a real date. */
export function dateInName(name: string, pattern: RegExp, group = 1): string | undefined {
  const m = pattern.exec(name);
  if (!m || !m[group]) return undefined;
  const iso = `${m[group].slice(0, 4)}-${m[group].slice(4, 6)}-${m[group].slice(6, 8)}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso ? undefined : iso;
}
