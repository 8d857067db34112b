/**
 * JSON inputs fuzzing: STAC scenes (a Collection linking Items with GeoTIFF assets and a stations
 * CSV) and the shipped pipelines, mutated structurally (odd values, removed keys, duplicated
 * elements) and byte-wise. Every input opens and loads (STAC) or validates (pipelines), or fails with
 * a SoilscaleError naming a file of the input; a rewriting that keeps the content (indentation, key
 * order) gives the same result.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeGeoTiff } from '../../core/io/geotiff-write.js';
import { createGrid, type Grid } from '../../core/model/grid.js';
import { rasterFromBands } from '../../core/model/raster.js';
import { preparePipeline } from '../../core/pipeline/plan.js';
import { createRegistry } from '../../core/plugin/registry.js';
import { readStacScene } from '../../core/stac/index.js';
import { builtinPlugins } from '../../plugins/index.js';
import { caseCount, caseRng, FuzzTally, LONG, mutateBytes, mutateJson, runCase } from './fuzz-support.js';

const coarse = createGrid(4, 3, [500000, 1000, 0, 4200000, 0, -1000], 'EPSG:32633');
const fine = createGrid(20, 15, [500000, 200, 0, 4200000, 0, -200], 'EPSG:32633');

function proj(grid: Grid) {
  const t = grid.transform;
  return { 'proj:code': grid.crs, 'proj:shape': [grid.height, grid.width], 'proj:transform': [t[1], t[2], t[0], t[4], t[5], t[3]] };
}

/** A small scene: collection.json → items/<date>.json, items/static.json; data/*.tif; stations.csv. */
async function writeScene(dir: string): Promise<Record<string, unknown>> {
  mkdirSync(join(dir, 'items'), { recursive: true });
  const docs: Record<string, unknown> = {};
  for (const [i, date] of ['2024-06-01', '2024-06-02'].entries()) {
    await writeGeoTiff(join(dir, 'data', `sm_${date}.tif`), rasterFromBands(coarse, [new Float32Array(12).map((_, k) => 0.1 + 0.01 * k + i)]), { overviews: false });
    await writeGeoTiff(join(dir, 'data', `ndvi_${date}.tif`), rasterFromBands(fine, [new Float32Array(300).map((_, k) => (k % 17) / 20)]), { overviews: false });
    docs[`items/${date}.json`] = {
      type: 'Feature', stac_version: '1.0.0', id: date, properties: { datetime: `${date}T00:00:00Z` }, links: [],
      assets: {
        sm_coarse: { href: `../data/sm_${date}.tif`, type: 'image/tiff; application=geotiff', ...proj(coarse), 'raster:bands': [{ unit: 'm3/m3' }] },
        ndvi_200m: { href: `../data/ndvi_${date}.tif`, type: 'image/tiff' },
      },
    };
  }
  await writeGeoTiff(join(dir, 'data', 'dem.tif'), rasterFromBands(fine, [new Float32Array(300).map((_, k) => 100 + k)]), { overviews: false });
  docs['items/static.json'] = { type: 'Feature', stac_version: '1.0.0', id: 'static', properties: { datetime: null, ...proj(fine) }, links: [], assets: { dem_200m: { href: '../data/dem.tif', type: 'image/tiff' } } };
  writeFileSync(join(dir, 'stations.csv'), 'station,lon,lat,depth_m,date,sm\nS1,15.1,37.9,0.05,2024-06-01,0.25\n');
  docs['collection.json'] = {
    type: 'Collection', stac_version: '1.0.0', id: 'fuzz', description: 'fuzz seed', license: 'CC0-1.0', extent: {},
    links: ['2024-06-01', '2024-06-02', 'static'].map((id) => ({ rel: 'item', href: `./items/${id}.json` })),
    assets: { stations: { href: './stations.csv', type: 'text/csv' } },
  };
  for (const [name, doc] of Object.entries(docs)) writeFileSync(join(dir, name), JSON.stringify(doc, null, 2));
  return docs;
}

/** Open the scene and load everything in it: assets (all dates) and stations. */
async function loadScene(entry: string): Promise<string> {
  const scene = await readStacScene(entry);
  const parts: string[] = [];
  for (const a of scene.assets()) {
    const s = await scene.load(a.key);
    parts.push(`${a.key} ${s.dates.join(',')} ${s.values.map((v) => Array.from(v).join(',')).join(';')}`);
  }
  const st = await scene.stations();
  parts.push(JSON.stringify(st?.stations ?? null));
  return parts.join('\n');
}

test('STAC fuzz: a mutated catalog loads, or fails naming one of its files', { timeout: LONG ? Infinity : 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-fuzz-stac-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const docs = await writeScene(dir);
  const entry = join(dir, 'collection.json');
  const reference = await loadScene(entry);
  // Content-preserving rewrite: minified, keys reversed.
  const reverse = (v: unknown): unknown => (Array.isArray(v) ? v.map(reverse) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v);
  for (const [name, doc] of Object.entries(docs)) writeFileSync(join(dir, name), JSON.stringify(reverse(doc)));
  assert.equal(await loadScene(entry), reference);

  const tally = new FuzzTally('stac');
  const rng = caseRng(31);
  const names = Object.keys(docs);
  for (let k = 0; k < caseCount(120); k++) {
    for (const [name, doc] of Object.entries(docs)) writeFileSync(join(dir, name), JSON.stringify(doc, null, 2));
    const target = names[k % names.length];
    const m = rng.next() < 0.7 ? mutateJson(docs[target], rng) : (() => {
      const r = mutateBytes(Buffer.from(JSON.stringify(docs[target], null, 2)), rng);
      return { text: Buffer.from(r.bytes).toString('utf8'), mutation: r.mutation };
    })();
    writeFileSync(join(dir, target), m.text);
    // An href mutated to point outside the scene (the mutator's '../../../../etc/passwd') is named as that file.
    const { outcome, ms, detail } = await runCase([dir, '/etc/passwd'], () => loadScene(entry));
    tally.record(outcome, ms, target, m.mutation, detail);
  }
  tally.finish();
});

test('pipeline fuzz: a mutated pipeline validates, or fails naming its file', { timeout: LONG ? Infinity : 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-fuzz-pipeline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const registry = createRegistry(builtinPlugins);
  const root = new URL('../../../pipelines/', import.meta.url).pathname;
  const seeds = readdirSync(root).filter((f) => f.endsWith('.json')).sort();
  assert.ok(seeds.length >= 5);
  const tally = new FuzzTally('pipeline');
  const rng = caseRng(41);
  for (let k = 0; k < caseCount(160); k++) {
    const name = seeds[k % seeds.length];
    const text = readFileSync(join(root, name), 'utf8');
    const m = rng.next() < 0.7 ? mutateJson(JSON.parse(text), rng) : (() => {
      const r = mutateBytes(Buffer.from(text), rng);
      return { text: Buffer.from(r.bytes).toString('utf8'), mutation: r.mutation };
    })();
    const file = join(dir, name);
    writeFileSync(file, m.text);
    const { outcome, ms, detail } = await runCase([file, name], () => preparePipeline(file, { registry }));
    tally.record(outcome, ms, name, m.mutation, detail);
  }
  // Unmutated, the seeds validate from anywhere (content-preserving rewrite: minified).
  for (const name of seeds) {
    writeFileSync(join(dir, name), JSON.stringify(JSON.parse(readFileSync(join(root, name), 'utf8'))));
    copyFileSync(join(dir, name), join(dir, `min-${name}`));
    await preparePipeline(join(dir, `min-${name}`), { registry });
  }
  tally.finish();
});
