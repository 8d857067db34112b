/**
 * `soilscale demo` runs the flagship pipeline (`pipelines/mmsdf.json`) from a fresh output folder and writes
 * the products, the tables, the report and the manifest. A small `--param demo=…` scene keeps it quick; the
 * default demo's size is a benchmark matter, not a test.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';
import { soilscale } from '../support/pipeline-cli.js';

const SMALL = { days: 24, coarseCells: [3, 3], fineFactor: 11, stations: 15 };

describe('soilscale demo', () => {
  it('runs mmsdf.json into a new output folder: products, tables, comparison, report, manifest', async () => {
    const out = join(tempDir(), 'nested', 'demo');
    const r = await soilscale('demo', '--out', out, '--quiet', '--param', `demo=${JSON.stringify(SMALL)}`, '--param', 'trees=20');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote \d+ files to/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.equal(manifest.pipeline.document.id, 'mmsdf');
    assert.equal(manifest.params.trees, 20);
    assert.deepEqual(manifest.params.demo, SMALL);
    assert.deepEqual(manifest.nodes.filter((n: { skipped: boolean }) => n.skipped).map((n: { id: string }) => n.id), []);
    // The daily 30 m products have one GeoTIFF per scene day.
    for (const product of ['sm_30m_daily', 'sm_30m_daily_bc']) assert.equal(readdirSync(join(out, product)).filter((f) => f.endsWith('.tif')).length, SMALL.days, product);
    assert.ok(readdirSync(join(out, 'sm_1km')).length === SMALL.days);
    assert.ok(readdirSync(join(out, 'sm_30m_wcm')).length > 0);
    for (const f of ['report.html', 'comparison.csv', 'comparison.json', 'truth30_full.csv', 'insitu_full.csv']) assert.ok(existsSync(join(out, f)), f);
    const comparison = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as { rows: { method: string }[] };
    assert.deepEqual(comparison.rows.map((row) => row.method), ['coarse', 'stage1', 'stage2', 'full', 'full_bc']);
    // Every file the manifest lists exists.
    for (const f of manifest.files as string[]) assert.ok(existsSync(join(out, f)), f);
  });
});
