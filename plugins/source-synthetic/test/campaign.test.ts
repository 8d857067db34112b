import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSoilscaleError } from '../../../core/index.js';
import { generateSyntheticScene, type SyntheticSceneData } from '../src/generate.js';
import { optionsHash, resolveOptions } from '../src/options.js';
import { campaignCells } from '../src/campaign.js';
import { GENERATOR_VERSION } from '../src/defaults.js';

const BASE = { days: 7, start: '2023-05-01', coarseCells: 4, coarseFactor: 9, fineFactor: 1, stations: 15, seed: 5 } as const;
const layer = (scene: SyntheticSceneData, key: string) => scene.layers.find((l) => l.key === key);
/** Coarse cell (4 × 4 grid of 9 × 9 "1 km" pixels) of "1 km" pixel `k`. */
const cellOf = (k: number) => Math.floor(Math.floor(k / 36) / 9) * 4 + Math.floor((k % 36) / 9);

test('no campaign by default: no asset, and the options (hence the cache key and catalog) carry no campaign key', () => {
  const resolved = resolveOptions(BASE);
  assert.equal('campaign' in resolved, false);
  assert.equal(optionsHash(resolved, GENERATOR_VERSION), optionsHash(resolveOptions({ ...BASE, campaign: undefined }), GENERATOR_VERSION));
  assert.equal(layer(generateSyntheticScene(resolved), 'sm_campaign_1km'), undefined);
});

test('campaign without noise: the truth over a contiguous block of round(fraction · cells) cells on every n-th date, NaN elsewhere; every other asset unchanged', () => {
  const plain = generateSyntheticScene(resolveOptions(BASE));
  const scene = generateSyntheticScene(resolveOptions({ ...BASE, campaign: { noise: 0, everyNthDay: 3 } }));
  const campaign = layer(scene, 'sm_campaign_1km')!;
  const truth = layer(scene, 'sm_truth_1km')!;
  assert.deepEqual(campaign.dates, [scene.dates[0], scene.dates[3], scene.dates[6]]);
  assert.equal(campaign.role, 'data');
  const flown = new Set<number>();
  campaign.values.forEach((v, i) => {
    const t = truth.values[truth.dates.indexOf(campaign.dates[i])];
    v.forEach((x, k) => {
      if (Number.isNaN(x)) return;
      assert.equal(x, t[k], `pixel ${k}`);
      flown.add(cellOf(k));
    });
  });
  const cells = [...flown].sort((a, b) => a - b);
  assert.equal(cells.length, 4);
  const rows = cells.map((c) => Math.floor(c / 4));
  const cols = cells.map((c) => c % 4);
  assert.equal((Math.max(...rows) - Math.min(...rows) + 1) * (Math.max(...cols) - Math.min(...cols) + 1), 4, `a 2 × 2 block: ${cells}`);
  // Every flown cell is covered whole on every campaign date.
  for (const v of campaign.values) assert.equal(v.filter((x) => !Number.isNaN(x)).length, 4 * 81);
  for (const l of plain.layers) assert.deepEqual(layer(scene, l.key)!.values, l.values, l.key);
  assert.deepEqual(scene.stations, plain.stations);
});

test('campaign with retrieval noise: truth + N(0, noise); scattered cells are seeded', () => {
  const scene = generateSyntheticScene(resolveOptions({ ...BASE, campaign: { layout: 'cells', fraction: 0.5 } }));
  const campaign = layer(scene, 'sm_campaign_1km')!;
  const truth = layer(scene, 'sm_truth_1km')!;
  assert.equal(campaign.dates.length, 7);
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  campaign.values.forEach((v, d) => v.forEach((x, k) => x === x && ((sum += x - truth.values[d][k]), (sum2 += (x - truth.values[d][k]) ** 2), n++)));
  assert.equal(n, 8 * 81 * 7);
  const sd = Math.sqrt(sum2 / n - (sum / n) ** 2);
  // 4536 draws: the sample sd is within 0.0015 of 0.04 with ~ 4 sd margin (clamping at 0.01 could only shrink it).
  assert.ok(Math.abs(sd - 0.04) < 0.0015 && Math.abs(sum / n) < 0.003, `noise sd ${sd}, mean ${sum / n}`);
  const options = { fraction: 0.5, layout: 'cells', everyNthDay: 1, noise: 0.04 } as const;
  assert.deepEqual(campaignCells(4, 4, options, 5), campaignCells(4, 4, options, 5));
  assert.notDeepEqual(campaignCells(4, 4, options, 5), campaignCells(4, 4, options, 6));
});

test('bad campaign options are reported with the field, expected and found', () => {
  for (const [campaign, path] of [
    [{ fraction: 0 }, 'campaign.fraction'],
    [{ layout: 'line' }, 'campaign.layout'],
    [{ everyNthDay: 0.5 }, 'campaign.everyNthDay'],
    [{ noise: -1 }, 'campaign.noise'],
    [{ cells: 3 }, 'campaign.cells'],
  ] as const) {
    assert.throws(() => resolveOptions({ ...BASE, campaign: campaign as never }), (e) => isSoilscaleError(e) && e.details.path === path && e.details.expected !== undefined, path);
  }
});
