import { definePlugin } from '../../core/index.js';
import { CAMPAIGN_DEFAULTS, defaultSyntheticOptions, GENERATOR_VERSION, type SyntheticOptions } from './src/defaults.js';

export { defaultSyntheticOptions, type SyntheticClimate, type SyntheticOptions } from './src/defaults.js';

/**
 * Generate the synthetic study area for `options` (defaults filled in) and write it as a STAC Collection
 * into `outDir`. Byte-for-byte reproducible from the options.
 *
 * @example
 * ```ts
 * const { catalogPath } = await writeSyntheticScene({ seed: 7, days: 10, coarseCells: 2 }, 'out/scene');
 * const scene = await readStacScene(catalogPath);
 * await scene.load('sm_coarse');
 * ```
 */
export async function writeSyntheticScene(options: Partial<SyntheticOptions>, outDir: string): Promise<{ catalogPath: string }> {
  const { writeSyntheticScene: write } = await import('./src/ensure-scene.js');
  return write(options, outDir);
}

export { NATIVE_ASSET_RULES, NATIVE_DATE_PATTERN } from './src/native-formats.js';

/**
 * Generate the synthetic study area and write it as a user would download it — SMAP L3 HDF5 on
 * EASE-Grid 2.0, MODIS sinusoidal and UTM GeoTIFFs, a stations CSV — with no catalog: `soilscale stac
 * build` with {@link NATIVE_ASSET_RULES} and {@link NATIVE_DATE_PATTERN} makes one (docs/synthetic-scene.md).
 */
export async function writeSyntheticNativeScene(options: Partial<SyntheticOptions>, outDir: string): Promise<void> {
  const { writeSyntheticNativeScene: write } = await import('./src/ensure-scene.js');
  await write(options, outDir);
}

const cells = (def: readonly [number, number], description: string) =>
  ({
    description,
    oneOf: [
      { type: 'integer', minimum: 1 },
      { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 },
    ],
    default: [...def],
  }) as const;

/**
 * `source:synthetic`: a physically plausible study area generated from a seed — terrain, soil texture, land
 * cover, a daily water-balance soil-moisture truth, and imperfect observations of it — written as a STAC scene
 * (cached under the OS temp folder by the hash of the params) and read back with the STAC reader.
 * Node outputs: `scene`, `stations`, and every asset key. See `docs/synthetic-scene.md`.
 *
 * @example
 * ```json
 * "scene": { "uses": "source:synthetic", "with": { "seed": 7, "days": 120, "climate": "humid" } }
 * ```
 */
export const syntheticSource = definePlugin({
  id: 'source:synthetic',
  version: GENERATOR_VERSION,
  title: 'Synthetic study area',
  description:
    'Generates a reproducible synthetic scene: DEM/slope/aspect/TWI, sand/silt/clay, land cover, a daily two-layer soil model whose 0–5 cm layer is the ' +
    'soil-moisture truth (storms, infiltration excess, run-on, drainage, force-restore exchange with the root zone, transpiration from the root zone, ' +
    'soil evaporation by a soil evaporative efficiency down to air-dry), an energy-balance ~10:30 LST with slope illumination, ' +
      'noisy/cloud-gapped 1 km predictors, a biased coarse SM, ' +
    '30 m Sentinel-1-like σ⁰ (Water Cloud Model) and Landsat-like reflectance, and in-situ stations.',
  params: {
    type: 'object',
    properties: {
      days: { type: 'integer', minimum: 1, maximum: 3660, default: defaultSyntheticOptions.days, description: 'number of simulated days' },
      start: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', default: defaultSyntheticOptions.start, description: 'first day, YYYY-MM-DD' },
      coarseCells: cells([6, 6], 'coarse cells [columns, rows] (a number: square)'),
      coarseFactor: { type: 'integer', minimum: 1, maximum: 100, default: defaultSyntheticOptions.coarseFactor, description: '"1 km" pixels per coarse pixel, per side' },
      fineFactor: { type: 'integer', minimum: 1, maximum: 100, default: defaultSyntheticOptions.fineFactor, description: '30 m pixels per "1 km" pixel, per side (33 → 990 m)' },
      subAreaCells: cells([1, 1], 'coarse cells [columns, rows] covered by the 30 m sub-area, centred'),
      climate: { type: 'string', enum: ['semi-arid', 'humid'], default: defaultSyntheticOptions.climate, description: 'climate preset' },
      relief: { type: 'integer', minimum: 0, maximum: 2000, default: defaultSyntheticOptions.relief, description: 'amplitude of the fractal relief of the DEM, m (35: a rolling plain; hundreds: hills)' },
      stations: { type: 'integer', minimum: 15, maximum: 30, default: defaultSyntheticOptions.stations, description: 'number of in-situ stations' },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295, default: defaultSyntheticOptions.seed, description: 'random seed: same seed, same bytes' },
      campaign: {
        type: 'object',
        description:
          'An emulated fine-scale campaign (off when absent): asset sm_campaign_1km = the 1 km truth + retrieval noise over a share of the coarse cells on every n-th day, NaN elsewhere (docs/synthetic-scene.md)',
        properties: {
          fraction: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: CAMPAIGN_DEFAULTS.fraction, description: 'share of the coarse cells flown' },
          layout: { type: 'string', enum: ['block', 'cells'], default: CAMPAIGN_DEFAULTS.layout, description: 'one contiguous rectangle of cells, or cells scattered at random' },
          everyNthDay: { type: 'integer', minimum: 1, default: CAMPAIGN_DEFAULTS.everyNthDay, description: 'flown on every n-th day from the first' },
          noise: { type: 'number', minimum: 0, maximum: 0.2, default: CAMPAIGN_DEFAULTS.noise, description: 'retrieval error sd, m³/m³ (SMAPEx PLMR 1 km: 0.03–0.04)' },
          seed: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'seed of the cells and the noise; default the scene seed' },
        },
        additionalProperties: false,
      },
      cacheDir: { type: 'string', default: '', description: 'scene folder; empty: <os temp>/soilscale-synthetic-<hash of the params>, reused when complete' },
    },
    additionalProperties: false,
  },
  async create(params, context) {
    const { ensureScene } = await import('./src/ensure-scene.js');
    const { readStacScene } = await import('../../core/index.js');
    const options = { ...params, cacheDir: params.cacheDir || undefined };
    return { load: async () => readStacScene(await ensureScene(options, context.logger)) };
  },
});
