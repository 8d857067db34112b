/** Version of the generator: part of the cache key, so a new generator never reuses an old scene. */
export const GENERATOR_VERSION = '2.0.0';

/** Climate presets of the generator (see `docs/synthetic-scene.md`). */
export type SyntheticClimate = 'humid' | 'semi-arid';

/**
 * Everything that decides the synthetic scene. Same options → same bytes.
 *
 * Grids nest exactly: one coarse pixel = `coarseFactor` × `coarseFactor` "1 km" pixels, one "1 km" pixel =
 * `fineFactor` × `fineFactor` 30 m pixels. With the defaults a "1 km" pixel is 33 × 30 m = 990 m and a coarse
 * pixel 9 × 990 m = 8.91 km.
 */
export interface SyntheticOptions {
  /** Number of simulated days. */
  readonly days: number;
  /** First day, `YYYY-MM-DD`. */
  readonly start: string;
  /** Coarse cells `[columns, rows]` (a number means a square). */
  readonly coarseCells: number | readonly [number, number];
  /** "1 km" pixels per coarse pixel (per side). */
  readonly coarseFactor: number;
  /** 30 m pixels per "1 km" pixel (per side). */
  readonly fineFactor: number;
  /** Coarse cells `[columns, rows]` covered by the 30 m sub-area, centred in the domain. */
  readonly subAreaCells: number | readonly [number, number];
  readonly climate: SyntheticClimate;
  /** Amplitude of the fractal relief of the DEM, m (35: a rolling plain; a few hundred: hills). */
  readonly relief: number;
  /** Number of in-situ stations (15–30). */
  readonly stations: number;
  readonly seed: number;
  /** Scene folder for `source:synthetic`; default a folder under the OS temp dir keyed by the options hash. */
  readonly cacheDir?: string;
}

/**
 * The defaults: a 6 × 6 coarse-cell semi-arid area over the 365 days of 2023 (all four seasons, so DJF, MAM,
 * JJA and SON models all have data).
 */
export const defaultSyntheticOptions: SyntheticOptions = Object.freeze({
  days: 365,
  start: '2023-01-01',
  coarseCells: [6, 6] as const,
  coarseFactor: 9,
  fineFactor: 33,
  subAreaCells: [1, 1] as const,
  climate: 'semi-arid' as const,
  relief: 35,
  stations: 20,
  seed: 1,
});
