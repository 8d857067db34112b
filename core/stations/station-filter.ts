/**
 * Which station observations count as surface soil moisture of good quality: the params of every plugin that
 * samples stations (validation, interval calibration, station stacking, bias correction), stated once.
 */
export interface StationFilter {
  /** Deepest sensor (top depth, m) used; deeper stations are left out whole. */
  readonly depthMax: number;
  /** Accepted quality flags (ISMN `G` = good); an observation without a flag is always accepted. */
  readonly flags: readonly string[];
}

/**
 * The JSON-schema properties of `StationFilter`, with its defaults: spread them into a plugin's params schema
 * (`properties: { ...stationFilterParams, … }`) so the defaults and descriptions cannot drift between plugins.
 * The defaults follow the in-situ validation practice of docs/metrics.md: surface sensors (top depth ≤ 5 cm),
 * ISMN-flag `G` only.
 */
export const stationFilterParams = {
  flags: { type: 'array', items: { type: 'string' }, default: ['G'], description: 'Accepted quality flags of station observations (ISMN: G = good); unflagged observations are always accepted.' },
  depthMax: { type: 'number', minimum: 0, default: 0.05, description: 'Deepest sensor top depth (m) treated as surface soil moisture; deeper stations are left out.' },
} as const;
