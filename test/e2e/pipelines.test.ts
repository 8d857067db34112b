/**
 * Every published workflow in pipelines/ runs from the CLI on a SMALL synthetic demo scene (3 × 3 coarse
 * cells, 11 × 11 "30 m" pixels per 1 km pixel, a few weeks) and produces its tables and report; the
 * qualitative result each workflow is known for is checked where the small scene supports it
 * (docs/pipelines-catalog.md says which and why).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';
import { comparison, readJson, runPipeline as runDemo, soilscale, value, type Records, type RunManifest } from '../support/pipeline-cli.js';

const SMALL = { days: 30, coarseCells: [3, 3], fineFactor: 11, stations: 15 };

const runPipeline = (name: string, demo: Record<string, unknown> = SMALL, params: string[] = []): Promise<{ out: string; manifest: RunManifest }> => runDemo(name, demo, params);

describe('published pipelines on a small demo scene', { concurrency: 1 }, () => {
  it('mmsdf: the full framework beats stage 1 alone and the coarse product against the 30 m truth', async () => {
    const { out, manifest } = await runPipeline('mmsdf', SMALL, ['trees=30']);
    assert.deepEqual(manifest.nodes.filter((n) => n.skipped).map((n) => n.id), []);
    const t = comparison(out);
    assert.deepEqual(t.rows.map((r) => r.method), ['coarse', 'stage1', 'stage2', 'full', 'full_bc']);
    assert.ok(value(t, 'full', 'raster.r') > value(t, 'stage1', 'raster.r'), 'full framework R > stage 1 R (30 m truth)');
    assert.ok(value(t, 'stage1', 'raster.r') > value(t, 'coarse', 'raster.r'), 'stage 1 R > coarse R (30 m truth)');
    assert.ok(value(t, 'full', 'raster.rmse') < value(t, 'coarse', 'raster.rmse'));
    for (const f of ['sm_1km', 'sm_30m_wcm', 'sm_30m_daily', 'sm_30m_daily_bc']) assert.ok(manifest.files.some((x) => x.startsWith(`${f}/`)), f);
  });

  it('seasonal-ml: RF, SVR and KNN, per season and all-season, ranked per season', async () => {
    const { out } = await runPipeline('seasonal-ml', { ...SMALL, start: '2023-05-01', days: 60 }, ['trees=30']);
    const t = comparison(out);
    const methods = new Set(t.rows.map((r) => r.method));
    for (const m of ['allseason.rf', 'allseason.svr', 'allseason.knn', 'seasonal_rf', 'seasonal_svr', 'seasonal_knn', 'coarse_1km']) assert.ok(methods.has(m), m);
    assert.deepEqual([...new Set(t.rows.map((r) => r.partition))].sort(), ['JJA', 'MAM']);
    for (const c of ['raster.mape', 'raster.bias', 'raster.rmse', 'raster.r2', 'insitu.r', 'insitu.kl']) assert.ok(t.columns.includes(c), c);
    // Every learner beats the bilinear coarse product against the truth in every season.
    for (const season of ['MAM', 'JJA']) {
      for (const m of ['allseason.rf', 'seasonal_rf', 'allseason.knn', 'seasonal_knn']) {
        assert.ok(value(t, m, 'raster.r', { partition: season }) > value(t, 'coarse_1km', 'raster.r', { partition: season }), `${m} ${season}`);
      }
    }
    const importance = readJson<Records>(join(out, 'tables', 'seasonal_rf.importance.json'));
    assert.deepEqual([...new Set(importance.rows.map((r) => r.partition))].sort(), ['JJA', 'MAM']);
  });

  it('ml-comparison: four learners on identical inputs, three-cornered hat of the four products', async () => {
    const { out } = await runPipeline('ml-comparison', SMALL, ['trees=30', 'epochs=25']);
    const t = comparison(out);
    assert.deepEqual(t.rows.map((r) => r.method), ['rf', 'bpnn', 'cnn_gru', 'resnet']);
    const tch = readJson<Records>(join(out, 'tch.json'));
    assert.deepEqual(tch.rows.map((r) => r.product), ['rf', 'bpnn', 'cnn_gru', 'resnet']);
    assert.ok(tch.rows.every((r) => typeof r.errorStd === 'number' || r.errorStd === null));
    // The per-pixel maps output, one static GeoTIFF per product (it used to be dropped silently).
    for (const p of ['rf', 'bpnn', 'cnn_gru', 'resnet']) assert.ok(existsSync(join(out, `tch_maps-${p}.tif`)), p);
  });

  it('gbdt-fusion: GBDT downscaling and leave-stations-out bias correction; the LST fill is skipped without a coarse LST', async () => {
    const { out, manifest } = await runPipeline('gbdt-fusion');
    assert.deepEqual(manifest.nodes.filter((n) => n.skipped).map((n) => n.id), ['lst_fill']);
    const t = comparison(out);
    assert.deepEqual(t.rows.map((r) => r.method), ['coarse', 'gbdt', 'gbdt_bc']);
    assert.ok(value(t, 'gbdt', 'raster.r') > value(t, 'coarse', 'raster.r'), 'GBDT beats the coarse product against the 1 km truth');
  });

  it('dispatch: DISPATCH and the bilinear baseline on identical inputs', async () => {
    const { out } = await runPipeline('dispatch');
    const t = comparison(out);
    assert.deepEqual(t.rows.map((r) => r.method), ['dispatch', 'bilinear']);
    assert.ok(existsSync(join(out, 'sm_1km-dispatch')) && existsSync(join(out, 'sm_1km-bilinear')));
  });
  // region-season: test/pipelines/region-season.test.ts (its own demo, issue 16's criterion).
});

describe('soilscale compare', () => {
  it('best-1km: exact mass conservation, interval bounds around the product, station- and campaign-calibrated intervals, predictors from a list param (no TWI)', async () => {
    // The truth over a block of coarse cells stands in for a campaign map (never on by default).
    const { out, manifest } = await runPipeline('best-1km', SMALL, ['trees=20', 'predictors=["ndvi_1km","lst_1km","dem_1km","clay_1km"]', 'campaign=sm_truth_1km', 'campaignArea=block']);
    assert.deepEqual(manifest.nodes.filter((n) => n.skipped).map((n) => n.id), []);
    const consistency = readJson<Records>(join(out, 'truth_consistency.json'));
    assert.ok((consistency.rows.find((r) => r.date === 'all')!.maxAbsError as number) <= 1e-6);
    const intervals = readJson<Records>(join(out, 'truth_intervals.json')).rows[0];
    assert.ok((intervals.coverage as number) > 0 && (intervals.coverage as number) <= 1 && (intervals.meanWidth as number) > 0, JSON.stringify(intervals));
    assert.ok((readJson<Records>(join(out, 'tables', 'down.multiScale.json')).rows[0].rows as number) > 0);
    for (const f of ['sm_1km', 'sm_1km_lower', 'sm_1km_upper', 'sm_1km_lower_insitu', 'sm_1km_upper_insitu']) assert.ok(manifest.files.some((x) => x.startsWith(`${f}/`)), f);
    // The station-calibrated interval is the same interval rescaled by κ: its truth coverage moves with its width.
    const kappa = readJson<Records>(join(out, 'tables', 'insitu_intervals.calibration.json')).rows[0].scale as number;
    const insitu = readJson<Records>(join(out, 'truth_intervals_insitu.json')).rows[0];
    assert.ok(Math.abs((insitu.meanWidth as number) - kappa * (intervals.meanWidth as number)) < 1e-6 * kappa, JSON.stringify({ kappa, insitu, intervals }));
    assert.ok(kappa > 1 ? (insitu.coverage as number) >= (intervals.coverage as number) : (insitu.coverage as number) <= (intervals.coverage as number));
    // Campaign: 2 of the 3 × 3 cells calibrate, the other 7 are held out and scored.
    const campaign = readJson<Records>(join(out, 'tables', 'campaign_intervals.calibration.json')).rows[0];
    assert.equal(campaign.areaCells, 2);
    assert.ok((campaign.heldOutPixels as number) > 0 && (campaign.heldOutCoverage as number) > 0 && (campaign.heldOutCoverage as number) <= 1, JSON.stringify(campaign));
    for (const f of ['sm_1km_lower_campaign', 'sm_1km_upper_campaign']) assert.ok(manifest.files.some((x) => x.startsWith(`${f}/`)), f);
    assert.ok(manifest.files.includes('campaign_area.tif'));
  });

  it('best-1km-campaign: the within-cell refit trained on an emulated campaign map, interval calibrated out of fold on it, exact conservation; no campaign asset is an error naming it', async () => {
    const demo = { ...SMALL, campaign: { fraction: 0.5, everyNthDay: 3 } };
    const { out, manifest } = await runPipeline('best-1km-campaign', demo, ['trees=20', 'predictors=["ndvi_1km","lst_1km","dem_1km","clay_1km"]']);
    assert.deepEqual(manifest.nodes.filter((n) => n.skipped).map((n) => n.id), []);
    const multiScale = readJson<Records>(join(out, 'tables', 'down.multiScale.json')).rows[0];
    // 6 of the 3 × 3 cells (the most square block of round(0.5 · 9) = 5), on 10 of the 30 days.
    assert.deepEqual([multiScale.referenceRows, multiScale.referenceCells, multiScale.referenceCellDates], ['add', 6, 60]);
    const intervals = readJson<Records>(join(out, 'tables', 'down.intervals.json')).rows[0];
    assert.deepEqual([intervals.changeOfSupport, intervals.units, intervals.folds], ['reference', 60, 4]);
    assert.ok((readJson<Records>(join(out, 'truth_consistency.json')).rows.find((r) => r.date === 'all')!.maxAbsError as number) <= 1e-6);
    for (const f of ['sm_1km', 'sm_1km_lower', 'sm_1km_upper']) assert.ok(manifest.files.some((x) => x.startsWith(`${f}/`)), f);
    const missing = await soilscale('run', join(ROOT, 'pipelines', 'best-1km-campaign.json'), '--out', join(tempDir(), 'no-campaign'), '--quiet', '--param', `demo=${JSON.stringify(SMALL)}`, '--param', 'trees=5');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /sm_campaign_1km/);
  });

  it('alternatives for one node on identical inputs: one ranked table, the same bytes on a second run', async () => {
    const args = (out: string) => [
      'compare', join(ROOT, 'pipelines', 'baseline.json'), '--node', 'bilinear', '--alt', 'nearest=downscaler:nearest',
      '--alt', 'rf={"uses":"downscaler:regression","with":{"predictors":{"ndvi":{"$node":"scene","output":"ndvi_1km"},"lst":{"$node":"scene","output":"lst_1km"}},"regressor":{"uses":"regressor:rf","with":{"trees":20}}}}',
      '--out', out, '--quiet', '--param', `demo=${JSON.stringify(SMALL)}`, '--seed', '3',
    ];
    const a = join(tempDir(), 'a');
    const b = join(tempDir(), 'b');
    const ra = await soilscale(...args(a));
    assert.equal(ra.code, 0, ra.stderr);
    const rb = await soilscale(...args(b));
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(readFileSync(join(a, 'comparison.csv'), 'utf8'), readFileSync(join(b, 'comparison.csv'), 'utf8'));
    const t = comparison(a);
    assert.deepEqual(t.rows.map((r) => r.method), ['bilinear', 'nearest', 'rf']);
    assert.deepEqual([...t.rows.map((r) => r.rank)].sort(), [1, 2, 3]);
    assert.match(ra.stdout, /^method\s+raster\.r\s/m);
    assert.match(ra.stdout, /\brank\b/);
    // Bilinear interpolation is closer to a smooth truth than nearest-neighbour blocks.
    assert.ok(value(t, 'bilinear', 'raster.r') > value(t, 'nearest', 'raster.r'));
  });

  it('usage errors: unknown node, malformed --alt', async () => {
    const out = join(tempDir(), 'x');
    const r = await soilscale('compare', join(ROOT, 'pipelines', 'baseline.json'), '--node', 'nope', '--alt', 'a=downscaler:nearest', '--out', out);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no node 'nope'/);
    const m = await soilscale('compare', join(ROOT, 'pipelines', 'baseline.json'), '--node', 'bilinear', '--alt', 'a={bad', '--out', out);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /--alt a: malformed JSON/);
  });
});
