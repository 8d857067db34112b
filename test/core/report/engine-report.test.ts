import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runPipeline } from '../../../core/host.js';
import { emptyRegistry, pipelineFixture, quiet, tempDir } from '../pipeline/helpers.js';

describe('report: written by the engine after every run', () => {
  it('report.html lists the outputs, node tables and manifest; in the manifest file list; off with report: false', async () => {
    const out = join(tempDir(), 'out');
    const r = await runPipeline(pipelineFixture('basic'), { out, params: { factor: '2' }, registry: emptyRegistry(), ...quiet });
    assert.ok(r.manifest.files.includes('report.html'));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    // Every record table the run wrote appears as a table, under its file name.
    for (const f of r.manifest.files.filter((x) => x.endsWith('.csv') && !x.includes('/') && x !== 'comparison.csv')) assert.match(html, new RegExp(`<a class="csv" href="${f.replace('.', '\\.')}" download>`), f);
    assert.match(html, /<a class="csv" href="tables\/[^"]+\.csv" download>/);
    // The product is a layer of the map viewer, every file is in the run index, and the manifest is embedded.
    const viewer = JSON.parse(/<script type="application\/json" id="viewer-data">(.*?)<\/script>/s.exec(html)![1]) as { layers: { id: string; kind: string }[] };
    assert.ok(viewer.layers.some((l) => l.id === 'sm_1km' && l.kind === 'product'));
    for (const f of r.manifest.files.filter((x) => !x.includes('/'))) assert.match(html, new RegExp(`<a href="${f.replace('.', '\\.')}">`), `index lists ${f}`);
    assert.match(html, new RegExp(`&quot;sha256&quot;: &quot;${r.manifest.pipeline.sha256}&quot;`));

    const out2 = join(tempDir(), 'out');
    const r2 = await runPipeline(pipelineFixture('basic'), { out: out2, params: { factor: '2' }, registry: emptyRegistry(), report: false, ...quiet });
    assert.equal(existsSync(join(out2, 'report.html')), false);
    assert.equal(r2.manifest.files.includes('report.html'), false);
  });
});
