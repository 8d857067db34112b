import { createRng, usageError } from '../../../core/index.js';
import { clamp } from './fields.js';
import { CAMPAIGN_DEFAULTS, type CampaignOptions } from './defaults.js';

export { CAMPAIGN_DEFAULTS, type CampaignOptions };

const WHERE = 'source:synthetic options';

/** The campaign option with defaults filled in and checked; undefined when absent (no campaign asset). */
export function resolveCampaign(value: unknown): CampaignOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw usageError('invalid campaign', { file: WHERE, path: 'campaign', expected: 'an object { fraction, layout, everyNthDay, noise, seed }', found: JSON.stringify(value) });
  }
  const c = { ...CAMPAIGN_DEFAULTS, ...Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) } as CampaignOptions;
  const bad = (field: string, expected: string, found: unknown) => usageError(`invalid campaign.${field}`, { file: WHERE, path: `campaign.${field}`, expected, found: JSON.stringify(found) });
  if (!(typeof c.fraction === 'number' && c.fraction > 0 && c.fraction <= 1)) throw bad('fraction', 'a number in (0, 1]', c.fraction);
  if (c.layout !== 'block' && c.layout !== 'cells') throw bad('layout', "'block' or 'cells'", c.layout);
  if (!(Number.isInteger(c.everyNthDay) && c.everyNthDay >= 1)) throw bad('everyNthDay', 'a positive integer', c.everyNthDay);
  if (!(typeof c.noise === 'number' && c.noise >= 0 && c.noise <= 0.2)) throw bad('noise', 'a number in [0, 0.2] (m³/m³)', c.noise);
  if (c.seed !== undefined && !(Number.isInteger(c.seed) && c.seed >= 0 && c.seed <= 2 ** 32 - 1)) throw bad('seed', 'an integer in [0, 2³²−1]', c.seed);
  const unknown = Object.keys(value).filter((k) => !(k in CAMPAIGN_DEFAULTS) && k !== 'seed');
  if (unknown.length) throw bad(unknown[0], 'one of fraction, layout, everyNthDay, noise, seed', unknown[0]);
  return c;
}

/** Flown coarse cells (row-major mask over `cols × rows`): `round(fraction · cells)` of them, at least one. */
export function campaignCells(cols: number, rows: number, options: CampaignOptions, seed: number): Uint8Array {
  const rng = createRng(seed).fork(1);
  const n = cols * rows;
  const want = Math.max(1, Math.round(options.fraction * n));
  const mask = new Uint8Array(n);
  if (options.layout === 'cells') {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < want; i++) {
      const j = i + rng.int(n - i);
      [order[i], order[j]] = [order[j], order[i]];
      mask[order[i]] = 1;
    }
    return mask;
  }
  // The most square rectangle of `want` cells that fits (else the closest area), placed at random.
  let best = { w: 1, h: 1, score: Infinity };
  for (let w = 1; w <= cols; w++) {
    const h = Math.min(rows, Math.max(1, Math.round(want / w)));
    const score = Math.abs(w * h - want) * 100 + Math.abs(w - h);
    if (score < best.score) best = { w, h, score };
  }
  const c0 = rng.int(cols - best.w + 1);
  const r0 = rng.int(rows - best.h + 1);
  for (let r = r0; r < r0 + best.h; r++) for (let c = c0; c < c0 + best.w; c++) mask[r * cols + c] = 1;
  return mask;
}

/**
 * The campaign maps: on every `everyNthDay`-th date, the truth + N(0, noise) (clamped to [0.01, 0.6] m³/m³, as the
 * stations) at the "1 km" pixels of the flown cells, NaN elsewhere.
 */
export function campaignMaps(
  truth: readonly Float32Array[],
  dates: readonly string[],
  grid: { readonly kmWidth: number; readonly coarseCols: number; readonly coarseRows: number; readonly coarseFactor: number },
  options: CampaignOptions,
  sceneSeed: number,
): { dates: string[]; values: Float32Array[]; cells: Uint8Array } {
  const seed = options.seed ?? sceneSeed;
  const cells = campaignCells(grid.coarseCols, grid.coarseRows, options, seed);
  const noise = createRng(seed).fork(2);
  const flown = dates.map((date, d) => ({ date, d })).filter(({ d }) => d % options.everyNthDay === 0);
  const values = flown.map(({ d }) =>
    Float32Array.from(truth[d], (v, k) => {
      const cell = Math.floor(Math.floor(k / grid.kmWidth) / grid.coarseFactor) * grid.coarseCols + Math.floor((k % grid.kmWidth) / grid.coarseFactor);
      if (!cells[cell]) return Number.NaN;
      return options.noise > 0 ? clamp(v + options.noise * noise.normal(), 0.01, 0.6) : v;
    }),
  );
  return { dates: flown.map((f) => f.date), values, cells };
}
