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
  /** An emulated fine-scale campaign, asset `sm_campaign_1km` (`campaign.ts`); absent by default (no asset). */
  readonly campaign?: Partial<CampaignOptions>;
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

/**
 * An emulated fine-scale campaign (docs/synthetic-scene.md, "Emulated campaign"): the "1 km" truth plus
 * retrieval noise over a share of the coarse cells on a subset of the dates, NaN elsewhere — what an airborne
 * radiometer campaign (SMAPEx's PLMR) or a UAV survey leaves over part of a study area.
 */
export interface CampaignOptions {
  /** Share of the coarse cells flown (0–1]. */
  readonly fraction: number;
  /** `block`: one contiguous rectangle of cells (a flight area); `cells`: cells scattered at random. */
  readonly layout: 'block' | 'cells';
  /** Flown on every n-th day of the scene, from the first. */
  readonly everyNthDay: number;
  /** Standard deviation of the retrieval error, m³/m³, independent per pixel and date. */
  readonly noise: number;
  /** Seed of the cells and the noise; default the scene's seed. */
  readonly seed?: number;
}

/**
 * Default retrieval error: the upper end of the 0.03–0.04 m³/m³ reported for the PLMR 1 km retrievals of the
 * SMAPEx campaigns (Panciera et al. 2014; Ye et al. 2021). Drawn independently per pixel, which is pessimistic for
 * within-cell anomalies: a real retrieval's error is partly shared by neighbouring pixels and cancels there.
 */
export const CAMPAIGN_DEFAULTS: CampaignOptions = Object.freeze({ fraction: 0.25, layout: 'block' as const, everyNthDay: 1, noise: 0.04 });
