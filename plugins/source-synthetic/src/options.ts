import { createHash } from 'node:crypto';
import { usageError } from '../../../core/index.js';
import { defaultSyntheticOptions } from './defaults.js';
import { resolveCampaign, type CampaignOptions } from './campaign.js';

export type { SyntheticClimate, SyntheticOptions } from './defaults.js';
import type { SyntheticClimate, SyntheticOptions } from './defaults.js';
export { defaultSyntheticOptions };

/** Options after defaults and validation, with pair-valued fields normalised. */
export interface ResolvedOptions {
  readonly days: number;
  readonly start: string;
  readonly coarseCells: readonly [number, number];
  readonly coarseFactor: number;
  readonly fineFactor: number;
  readonly subAreaCells: readonly [number, number];
  readonly climate: SyntheticClimate;
  readonly relief: number;
  readonly stations: number;
  readonly seed: number;
  /** Only when asked: an absent key leaves the options hash (the cache key) and the demo's bytes unchanged. */
  readonly campaign?: CampaignOptions;
}

const WHERE = 'source:synthetic options';

function pair(name: string, v: number | readonly [number, number] | unknown): [number, number] {
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : undefined;
  if (!p || !p.every((x) => Number.isInteger(x) && x >= 1)) {
    throw usageError(`invalid ${name}`, { file: WHERE, path: name, expected: 'a positive integer or [columns, rows]', found: JSON.stringify(v) });
  }
  return p as [number, number];
}

function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw usageError(`invalid ${name}`, { file: WHERE, path: name, expected: `an integer in [${min}, ${max}]`, found: JSON.stringify(v) });
  }
  return v;
}

/** Apply defaults and check every option; throws a `SoilscaleError` naming the bad field. */
export function resolveOptions(options: Partial<SyntheticOptions> = {}): ResolvedOptions {
  const o = { ...defaultSyntheticOptions, ...stripUndefined(options) };
  const start = String(o.start);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || Number.isNaN(Date.parse(`${start}T00:00:00Z`)) || new Date(`${start}T00:00:00Z`).toISOString().slice(0, 10) !== start) {
    throw usageError('invalid start date', { file: WHERE, path: 'start', expected: 'a calendar date YYYY-MM-DD', found: JSON.stringify(o.start) });
  }
  if (o.climate !== 'humid' && o.climate !== 'semi-arid') {
    throw usageError('invalid climate', { file: WHERE, path: 'climate', expected: "'humid' or 'semi-arid'", found: JSON.stringify(o.climate) });
  }
  const coarseCells = pair('coarseCells', o.coarseCells);
  const subAreaCells = pair('subAreaCells', o.subAreaCells);
  if (subAreaCells[0] > coarseCells[0] || subAreaCells[1] > coarseCells[1]) {
    throw usageError('the 30 m sub-area is larger than the domain', {
      file: WHERE,
      path: 'subAreaCells',
      expected: `at most [${coarseCells.join(', ')}] (coarseCells)`,
      found: JSON.stringify(o.subAreaCells),
    });
  }
  return {
    days: int('days', o.days, 1, 3660),
    start,
    coarseCells,
    coarseFactor: int('coarseFactor', o.coarseFactor, 1, 100),
    fineFactor: int('fineFactor', o.fineFactor, 1, 100),
    subAreaCells,
    climate: o.climate,
    relief: int('relief', o.relief, 0, 2000),
    stations: int('stations', o.stations, 15, 30),
    seed: int('seed', o.seed, 0, 2 ** 32 - 1),
    ...(o.campaign === undefined ? {} : { campaign: resolveCampaign(o.campaign) }),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A short, stable hash of the resolved options and generator version (the cache key). */
export function optionsHash(options: ResolvedOptions, generatorVersion: string): string {
  const text = JSON.stringify({ generatorVersion, ...options });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
