import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { createGrid, makeSeries, transformCoordinates, writeGeoTiff } from '../../../core/index.js';
import { buildViewerData, decodeBand, encodeBand, lonLatLattice, overviewOf, type LayerSource } from '../../../core/host.js';
import { loadGeotiff } from '../../../core/io/geotiff-read.js';
import { tempDir } from '../pipeline/helpers.js';

/** A smooth field with noise and a hole, deterministic. */
function field(width: number, height: number, seed: number): Float32Array {
  const v = new Float32Array(width * height);
  let s = seed;
  for (let i = 0; i < v.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const x = i % width;
    const y = Math.floor(i / width);
    v[i] = 0.25 + 0.1 * Math.sin(x / 17) * Math.cos(y / 23) + ((s / 2 ** 32) - 0.5) * 0.02;
    if ((x - 40) ** 2 + (y - 30) ** 2 < 50) v[i] = Number.NaN;
  }
  return v;
}

describe('report: raster payload', () => {
  it('12-bit codes round-trip within half a step; nodata stays nodata; an all-NaN band has no valid pixel', () => {
    const v = field(123, 77, 7);
    const band = encodeBand(v, 123, 77);
    const back = decodeBand(band, inflateSync);
    let finite = 0;
    for (let i = 0; i < v.length; i++) {
      assert.equal(Number.isNaN(back[i]), Number.isNaN(v[i]), `nodata at ${i}`);
      if (Number.isNaN(v[i])) continue;
      finite++;
      assert.ok(Math.abs(back[i] - v[i]) <= band.scale / 2 + 1e-7, `pixel ${i}: ${back[i]} vs ${v[i]}`);
    }
    assert.equal(band.valid, finite);
    // Step: 1/4094 of the finite range.
    const range = Math.max(...v.filter(Number.isFinite)) - Math.min(...v.filter(Number.isFinite));
    assert.ok(Math.abs(band.scale - range / 4094) < 1e-9);
    const empty = encodeBand(new Float32Array(20).fill(Number.NaN), 5, 4);
    assert.equal(empty.valid, 0);
    assert.ok(decodeBand(empty, inflateSync).every(Number.isNaN));
  });

  it('overviews are the COG writer’s own overview levels', async () => {
    const [w, h] = [600, 420];
    const grid = createGrid(w, h, [500000, 30, 0, 4100000, 0, -30], 'EPSG:32614');
    const values = field(w, h, 3);
    const file = join(tempDir(), 'ovr.tif');
    await writeGeoTiff(file, { kind: 'raster', grid, bands: [values], bandNames: ['sm'] });
    const tiff = await (await loadGeotiff()).fromFile(file);
    assert.ok((await tiff.getImageCount()) >= 3, 'the writer made two overview levels');
    for (const level of [1, 2]) {
      const img = await tiff.getImage(level);
      const cog = (await img.readRasters({ interleave: true })) as unknown as Float32Array;
      const mine = await overviewOf(values, w, h, level);
      assert.deepEqual([mine.width, mine.height], [img.getWidth(), img.getHeight()]);
      for (let i = 0; i < cog.length; i++) assert.ok(Object.is(cog[i], mine.values[i]) || Math.abs(cog[i] - mine.values[i]) < 1e-7, `level ${level} pixel ${i}: ${cog[i]} vs ${mine.values[i]}`);
    }
  });
});

describe('report: viewer data', () => {
  const grid = createGrid(900, 700, [400000, 30, 0, 4000000, 0, -30], 'EPSG:32614');
  const dates = ['2023-05-01', '2023-05-02', '2023-05-03', '2023-05-04'];
  const product = makeSeries({ variable: 'sm', grid, dates, unit: 'm3/m3', values: dates.map((_, k) => (k === 2 ? new Float32Array(900 * 700).fill(Number.NaN) : field(900, 700, k + 1))) });
  const truth = makeSeries({ variable: 'sm_truth', grid, dates, unit: 'm3/m3', values: dates.map((_, k) => field(900, 700, k + 11)) });
  const source = (id: string, s: typeof product, kind: LayerSource['kind']): LayerSource => ({ id, title: id, kind, grid: s.grid, dates: s.dates, unit: s.unit, group: 'sm', bands: async () => s.values });

  it('coarsens overviews until the payload fits the budget and says so', async () => {
    const sources = [source('sm_30m', product, 'product'), source('sm_truth_30m', truth, 'truth')];
    const roomy = await buildViewerData(sources, [{ a: 'sm_30m', b: 'sm_truth_30m' }], undefined, 50e6);
    const tight = await buildViewerData(sources, [{ a: 'sm_30m', b: 'sm_truth_30m' }], undefined, 600_000);
    const level = (b: typeof roomy) => b.data!.layers[0].grid!.level;
    assert.equal(level(roomy), 1, '900 px → one halving to fit a 600 px panel');
    assert.ok(roomy.data!.payloadBytes > 600_000);
    assert.ok(level(tight) > level(roomy));
    assert.ok(tight.data!.payloadBytes <= 600_000, `${tight.data!.payloadBytes} bytes`);
    assert.match(tight.notes.join(' '), new RegExp(`1:${2 ** level(tight)} overview`));
    // The embedded overview transform: 2^level pixels per side.
    assert.deepEqual(tight.data!.layers[0].grid!.transform, [400000, 30 * 2 ** level(tight), 0, 4000000, 0, -30 * 2 ** level(tight)]);
    const diff = tight.data!.layers.find((l) => l.kind === 'diff')!;
    assert.deepEqual([diff.a, diff.b, diff.dates.length], ['sm_30m', 'sm_truth_30m', 4]);
    assert.ok(tight.data!.groups.difference.range[0] < 0 && tight.data!.groups.difference.range[1] === -tight.data!.groups.difference.range[0]);
  });

  it('lon/lat lattice: exact at its nodes, refined until interpolation is within 5e-6°', () => {
    const lattice = lonLatLattice(grid);
    const { x, y } = transformCoordinates('EPSG:32614', 'EPSG:4326', Float64Array.of(400000 + 900 * 30), Float64Array.of(4000000 - 700 * 30));
    // The last lattice node is the grid's bottom-right corner.
    assert.ok(Math.abs(lattice.lon[lattice.n * lattice.n - 1] - x[0]) < 1e-8);
    assert.ok(Math.abs(lattice.lat[lattice.n * lattice.n - 1] - y[0]) < 1e-8);
    assert.ok(lattice.maxErrorDeg > 0 && lattice.maxErrorDeg <= 5e-6, `${lattice.maxErrorDeg}`);
    assert.equal(lattice.n, 9, '9 points per side suffice on this 27 km grid');
    // A 300 km grid needs a denser lattice, still within the tolerance.
    const wide = lonLatLattice(createGrid(1000, 1000, [300000, 300, 0, 4400000, 0, -300], 'EPSG:32614'));
    assert.ok(wide.n > 9 && wide.maxErrorDeg <= 5e-6, `${wide.n}: ${wide.maxErrorDeg}`);
  });
});
