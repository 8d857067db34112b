import { strict as assert } from 'node:assert';
import { inflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { recordTable } from '../../../core/index.js';
import { colourAt, colourise, comparisonTable, crc32, displayRange, distinctiveLabels, encodePng, metricDirection, rankValues, renderVegaLite, sceneInputKeys, taylorPoints, taylorSpec, taylorStats, VIRIDIS } from '../../../core/host.js';

describe('report: PNG encoder', () => {
  it('CRC-32 matches the ISO 3309 check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  it('writes signature, IHDR with size and RGBA type, valid chunk CRCs, and pixels that inflate back', () => {
    const rgba = Uint8Array.of(255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120);
    const png = encodePng(3, 2, rgba);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    const chunks: { type: string; data: Uint8Array }[] = [];
    for (let o = 8; o < png.length; ) {
      const len = view.getUint32(o);
      const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
      assert.equal(view.getUint32(o + 8 + len), crc32(png, o + 4, o + 8 + len), `CRC of ${type}`);
      chunks.push({ type, data: png.subarray(o + 8, o + 8 + len) });
      o += 12 + len;
    }
    assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset);
    assert.equal(ihdr.getUint32(0), 3);
    assert.equal(ihdr.getUint32(4), 2);
    assert.equal(chunks[0].data[8], 8);
    assert.equal(chunks[0].data[9], 6);
    const raw = inflateSync(chunks[1].data);
    assert.equal(raw.length, 2 * (1 + 12));
    assert.equal(raw[0], 0);
    assert.deepEqual([...raw.subarray(1, 13)], [...rgba.subarray(0, 12)]);
    assert.equal(raw[13], 0);
    assert.deepEqual([...raw.subarray(14, 26)], [...rgba.subarray(12, 24)]);
  });

  it('rejects a buffer of the wrong size', () => {
    assert.throws(() => encodePng(2, 2, new Uint8Array(15)), RangeError);
  });
});

describe('report: colour maps', () => {
  it('viridis ends and midpoint, NaN transparent, scaling repeats pixels', () => {
    assert.deepEqual(colourAt(VIRIDIS, 0), [68, 1, 84]);
    assert.deepEqual(colourAt(VIRIDIS, 1), [253, 231, 37]);
    assert.deepEqual(colourAt(VIRIDIS, 0.5), [33, 144, 141]);
    assert.deepEqual(colourAt(VIRIDIS, 7), [253, 231, 37]);
    const img = colourise(Float32Array.of(0, Number.NaN), 2, 1, 0, 1, VIRIDIS, { scale: 2 });
    assert.equal(img.width, 4);
    assert.equal(img.height, 2);
    assert.deepEqual([...img.rgba.subarray(0, 8)], [68, 1, 84, 255, 68, 1, 84, 255]);
    assert.equal(img.rgba[8 + 3], 0, 'NaN is transparent');
    assert.deepEqual([...img.rgba.subarray(16, 20)], [68, 1, 84, 255], 'second row repeats the first');
  });

  it('display range: percentiles, symmetric for differences', () => {
    const v = Float32Array.from({ length: 101 }, (_, i) => i);
    assert.deepEqual(displayRange([v]), [2, 98]);
    assert.deepEqual(displayRange([Float32Array.of(-5, 1, 2, Number.NaN)], true), [-5, 5]);
  });
});

describe('report: comparison table', () => {
  it('ranks with ties averaged, by direction', () => {
    assert.deepEqual(rankValues([0.9, 0.5, 0.9, Number.NaN], 'higher'), [1.5, 3, 1.5, Number.NaN]);
    assert.deepEqual(rankValues([0.1, -0.05, 0.2], 'abs'), [2, 1, 3]);
    assert.equal(metricDirection('raster.rmse'), 'lower');
    assert.equal(metricDirection('insitu.r'), 'higher');
    assert.equal(metricDirection('raster.n'), undefined);
  });

  it('labels: the distinctive part of node ids', () => {
    assert.deepEqual(distinctiveLabels(['truth30_coarse', 'truth30_stage1', 'truth30_full_bc']), ['coarse', 'stage1', 'full_bc']);
    assert.deepEqual(distinctiveLabels(['a', 'a']), ['a', 'a']);
  });

  it('one row per method and partition, metrics from summaries, in-situ medians pivoted, ranks within each partition', () => {
    const raster = recordTable([
      { method: 'rf', partition: 'MAM', scope: 'all', n: 100, r: 0.8, rmse: 0.03 },
      { method: 'knn', partition: 'MAM', scope: 'all', n: 100, r: 0.7, rmse: 0.04 },
      { method: 'rf', partition: 'JJA', scope: 'all', n: 100, r: 0.6, rmse: 0.05 },
      { method: 'knn', partition: 'JJA', scope: 'all', n: 100, r: 0.9, rmse: 0.02 },
    ]);
    const insitu = recordTable([
      { method: 'rf', partition: 'MAM', metric: 'r', median: 0.5, q25: 0.1 },
      { method: 'knn', partition: 'MAM', metric: 'r', median: 0.6, q25: 0.1 },
      { method: 'rf', partition: 'JJA', metric: 'r', median: 0.4, q25: 0.1 },
      { method: 'knn', partition: 'JJA', metric: 'r', median: 0.3, q25: 0.1 },
    ]);
    const perDate = recordTable(Array.from({ length: 40 }, (_, i) => ({ method: i % 2 ? 'rf' : 'knn', date: `2023-05-${10 + (i >> 1)}`, r: i })));
    const t = comparisonTable([
      { node: 'vs', plugin: 'validator:raster', table: 'summary', records: raster },
      { node: 'vs', plugin: 'validator:raster', table: 'perDate', records: perDate },
      { node: 'st', plugin: 'validator:insitu', table: 'summary', records: insitu },
    ])!;
    assert.deepEqual(t.columns, ['method', 'partition', 'raster.r', 'raster.rmse', 'insitu.r', 'meanRank', 'rank']);
    const row = (m: string, p: string) => t.rows.find((r) => r.method === m && r.partition === p)!;
    assert.equal(row('rf', 'MAM')['raster.rmse'], 0.03);
    assert.equal(row('knn', 'JJA')['insitu.r'], 0.3);
    // MAM: rf wins r and rmse, knn wins in-situ r → rf mean rank (1+1+2)/3.
    assert.equal(row('rf', 'MAM').meanRank, 4 / 3);
    assert.equal(row('rf', 'MAM').rank, 1);
    assert.equal(row('knn', 'JJA').rank, 1);
    assert.equal(row('rf', 'JJA').meanRank, 5 / 3);
  });

  it('validators of one plugin on different products become rows; nothing to compare → undefined', () => {
    const s = (r: number) => recordTable([{ scope: 'all', r, rmse: 1 - r }]);
    const t = comparisonTable([
      { node: 'truth_stage1', plugin: 'validator:raster', table: 'summary', records: s(0.8) },
      { node: 'truth_full', plugin: 'validator:raster', table: 'summary', records: s(0.9) },
    ])!;
    assert.deepEqual(t.rows.map((r) => [r.method, r.rank]), [['stage1', 2], ['full', 1]]);
    assert.equal(comparisonTable([{ node: 'v', plugin: 'validator:raster', table: 'summary', records: s(0.8) }]), undefined);
  });
});

describe('report: Taylor statistics and charts', () => {
  it('R and normalised std of a known function', () => {
    const ref = Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const st = taylorStats(ref, ref.map((v) => 2 * v + 3))!;
    assert.ok(Math.abs(st.r - 1) < 1e-12);
    assert.ok(Math.abs(st.std - 2) < 1e-12);
    const anti = taylorStats(ref, ref.map((v) => -0.5 * v))!;
    assert.ok(Math.abs(anti.r + 1) < 1e-12);
    assert.ok(Math.abs(anti.std - 0.5) < 1e-12);
    assert.equal(taylorStats([1, 2], [1, 2]), undefined);
  });

  it('Taylor points carry the intercomparison table’s method names and the validators’ own statistics', () => {
    const summary = (r: number, sp: number) => recordTable([{ scope: 'all', r, rmse: 0.1, stdProduct: sp, stdReference: 0.05 }]);
    const sources = [
      { node: 'truth30_coarse', plugin: 'validator:raster', table: 'summary', records: summary(0.5, 0.04) },
      { node: 'truth30_full_bc', plugin: 'validator:raster', table: 'summary', records: summary(0.8, 0.055) },
    ];
    const { points, against } = taylorPoints(sources);
    assert.equal(against, 'truth');
    assert.deepEqual(points.map((p) => p.name), comparisonTable(sources)!.rows.map((r) => r.method));
    assert.deepEqual(points.map((p) => [p.r, Number(p.std.toFixed(6))]), [[0.5, 0.8], [0.8, 1.1]]);
    // Without raster validators: the in-situ stations' medians (included stations only).
    const st = (rows: [number, number, boolean][]) => recordTable(rows.map(([r, sp, included], i) => ({ station: `S${i}`, included, r, stdProduct: sp, stdReference: 0.02 })));
    const insitu = taylorPoints([
      { node: 'insitu_a', plugin: 'validator:insitu', table: 'stations', records: st([[0.2, 0.02, true], [0.6, 0.04, true], [0.4, 0.01, true], [0.99, 0.02, false]]) },
      { node: 'insitu_b', plugin: 'validator:insitu', table: 'stations', records: st([[0.7, 0.03, true]]) },
    ]);
    assert.equal(insitu.against, 'stations');
    assert.deepEqual(insitu.points.map((p) => [p.name, p.r, p.std]), [['a', 0.4, 1], ['b', 0.7, 1.5]]);
  });

  it('renders a Taylor diagram to SVG in Node, one mark per product', async () => {
    const svg = await renderVegaLite(taylorSpec([{ name: 'alpha', std: 0.8, r: 0.9 }, { name: 'beta', std: 1.2, r: 0.6 }], { title: 'T' }));
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, />alpha</);
    assert.match(svg, />beta</);
    assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org)/, 'no external references');
  });
});

describe('report: input maps', () => {
  it('asset keys read from source nodes, $param outputs resolved, stations and non-source refs left out', () => {
    const manifest = {
      params: { coarse: 'sm_coarse', ndvi_key: 'ndvi_1km' },
      nodes: [{ id: 'scene', plugin: 'source:stac' }, { id: 'down', plugin: 'downscaler:regression' }],
      pipeline: {
        document: {
          nodes: {
            down: { with: { coarse: { $node: 'scene', output: { $param: 'coarse' } }, predictors: { ndvi: { $node: 'scene', output: { $param: 'ndvi_key' } }, dem: { $node: 'scene', output: 'dem_1km' } } } },
            check: { with: { product: { $node: 'down' }, stations: { $node: 'scene', output: 'stations' }, more: [{ $node: 'scene', output: 'dem_1km' }] } },
          },
        },
      },
    };
    assert.deepEqual(sceneInputKeys(manifest as never), ['sm_coarse', 'ndvi_1km', 'dem_1km']);
  });
});
