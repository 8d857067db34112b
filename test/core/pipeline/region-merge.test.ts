/**
 * The region merge options `conserve` (coarse cell means kept) and `levels` (each region's mean per coarse
 * cell from a reference product): the functions on hand-made grids where a region boundary cuts a cell,
 * their plan checks, and the engine applying them in order.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGrid, isSoilscaleError, makeSeries, type Series } from '../../../core/index.js';
import { cellIndex, conserveCellMeans, levelRegions } from '../../../core/pipeline/partition.js';
import { preparePipeline, runPipeline } from '../../../core/host.js';
import { emptyRegistry, quiet, tempDir, TEST_PLUGINS } from './helpers.js';

const CRS = 'EPSG:32633';
// 2 × 1 coarse cells of 2 × 2 fine pixels; fine is 4 × 2.
const coarseGrid = createGrid(2, 1, [0, 2, 0, 2, 0, -2], CRS);
const fineGrid = createGrid(4, 2, [0, 1, 0, 2, 0, -1], CRS);
const fine = (dates: string[], values: number[][]): Series => makeSeries({ variable: 'sm', grid: fineGrid, dates, values: values.map((v) => Float32Array.from(v)) });
const coarse = (dates: string[], values: number[][]): Series => makeSeries({ variable: 'sm', grid: coarseGrid, dates, values: values.map((v) => Float32Array.from(v)) });
const close = (a: ArrayLike<number>, b: readonly number[]) => Array.from(a).forEach((x, i) => assert.ok(Number.isNaN(b[i]) ? Number.isNaN(x) : Math.abs(x - b[i]) < 1e-6, `${i}: ${x} vs ${b[i]}`));

describe('region merge: conserve and levels', () => {
  it('cellIndex maps each fine pixel to its coarse cell', () => {
    assert.deepEqual([...cellIndex(fineGrid, coarseGrid)], [0, 0, 1, 1, 0, 0, 1, 1]);
  });

  it('conserveCellMeans shifts each cell to its coarse mean over the valid pixels; NaN stays NaN; a date without coarse is left and reported', () => {
    // Cell 0 = pixels 0, 1, 4, 5; cell 1 = 2, 3, 6, 7 (pixel 7 NaN).
    const s = fine(['2024-01-01', '2024-01-02'], [[1, 2, 10, 20, 3, 4, 30, NaN], [1, 1, 1, 1, 1, 1, 1, 1]]);
    const c = conserveCellMeans(s, coarse(['2024-01-01'], [[5, 10]]));
    // Cell 0 mean 2.5 → +2.5; cell 1 mean 20 over its three valid pixels → −10.
    close(c.series.values[0], [3.5, 4.5, 0, 10, 5.5, 6.5, 20, NaN]);
    close(c.series.values[1], [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(c.datesWithoutCoarse, ['2024-01-02']);
    assert.equal(c.meanAbsShift, 6.25);
    assert.equal(c.maxAbsShift, 10);
    assert.deepEqual([...s.values[0]].slice(0, 2), [1, 2], 'the input is not modified');
  });

  it('conserveCellMeans refuses a fine grid that does not nest in the coarse one', () => {
    const off = makeSeries({ variable: 'sm', grid: createGrid(4, 2, [0.5, 1, 0, 2, 0, -1], CRS), dates: ['2024-01-01'], values: [new Float32Array(8)] });
    assert.throws(() => conserveCellMeans(off, coarse(['2024-01-01'], [[0, 0]])), (e: unknown) => isSoilscaleError(e) && /does not nest/.test(e.message));
  });

  it('levelRegions: a region boundary inside a cell keeps the reference contrast between the regions and each part its own detail; gaps are filled', () => {
    // Region 0 = column 0, region 1 = columns 1–3: cell 0 (columns 0–1) holds both regions.
    const owner = Int32Array.from([0, 1, 1, 1, 0, 1, 1, 1]);
    // The merged product: region 0 from method A (level 0.30), region 1 from method B with detail ±0.02, one gap.
    const merged = fine(['2024-01-01'], [[0.3, 0.22, 0.2, 0.2, 0.3, 0.18, NaN, 0.2]]);
    // The reference: region 0 drier than region 1 inside cell 0 (0.1 vs 0.25), cell 1 at 0.4.
    const reference = fine(['2024-01-01'], [[0.1, 0.25, 0.4, 0.4, 0.1, 0.25, 0.4, 0.4]]);
    const l = levelRegions(merged, reference, owner, cellIndex(fineGrid, coarseGrid));
    // (cell 0, region 0): 0.3 → 0.1; (cell 0, region 1): mean 0.2 → 0.25, detail ±0.02 kept; (cell 1, region 1): mean 0.2 → 0.4; the gap takes 0.4.
    close(l.series.values[0], [0.1, 0.27, 0.4, 0.4, 0.1, 0.23, 0.4, 0.4]);
    assert.equal(l.filled, 1);
    assert.ok(Math.abs(l.meanAbsShift - (0.2 + 0.05 + 0.2) / 3) < 1e-6);
    // Without levels, conserving cell 0 alone would leave region 0 wetter than region 1 (the seam).
    const conservedOnly = conserveCellMeans(merged, coarse(['2024-01-01'], [[0.175, 0.4]])).series.values[0];
    assert.ok(conservedOnly[0] > conservedOnly[1]);
  });

  it('levelRegions refuses a levels product on another grid', () => {
    const other = makeSeries({ variable: 'sm', grid: coarseGrid, dates: ['2024-01-01'], values: [new Float32Array(2)] });
    assert.throws(() => levelRegions(fine(['2024-01-01'], [[0, 0, 0, 0, 0, 0, 0, 0]]), other, new Int32Array(8), cellIndex(fineGrid, coarseGrid)), /another grid/);
  });
});

const coarseRef = { $node: 'scene', output: 'sm_coarse' };
const shared = { coarse: coarseRef, target: { $node: 'scene', output: 'ndvi_1km' } };
const pipeline = (partition: object, nodes: object = {}): object => ({
  schemaVersion: '1.0',
  id: 'p',
  plugins: [TEST_PLUGINS],
  nodes: { scene: { uses: 'source:memory' }, ...nodes, d: { partition, with: shared } },
  outputs: { sm: { $node: 'd' } },
});
const parts = { west: { uses: 'downscaler:test-scale', classes: [1], with: { offset: 10 } }, east: { uses: 'downscaler:test-scale', classes: [2], with: { offset: 20 } } };
const regions = { $node: 'scene', output: 'landcover' };

describe('region merge options in a pipeline', () => {
  it('plan: conserve and levels only for region partitions, levels only with conserve', async () => {
    const problems = async (p: object) => {
      try {
        await preparePipeline(p, { registry: emptyRegistry() });
      } catch (e) {
        assert.ok(isSoilscaleError(e));
        return e.problems;
      }
      assert.fail('expected the pipeline to be rejected');
    };
    const season = await problems(pipeline({ by: 'season', conserve: coarseRef, parts: { '*': { uses: 'downscaler:test-scale' } } }));
    assert.ok(season.includes('nodes.d.partition: "regions", "geojson", "property", "conserve" and "levels" only apply to partitions by "region"'), season.join('\n'));
    const lone = await problems(pipeline({ by: 'region', regions, levels: coarseRef, parts }));
    assert.ok(lone.includes('nodes.d.partition.levels: needs "conserve" (the coarse field whose cells the levels are taken over)'), lone.join('\n'));
    const ghost = await problems(pipeline({ by: 'region', regions, conserve: { $node: 'nope' }, parts }));
    assert.ok(ghost.some((l) => l.startsWith("nodes.d.partition.conserve.$node: unknown node 'nope'")), ghost.join('\n'));
  });

  it('engine: levels from the reference first, then the coarse means; both reported in the node notes', async () => {
    const run = (partition: object, nodes?: object) => runPipeline(pipeline(partition, nodes), { out: join(tempDir(), 'out'), registry: emptyRegistry(), workers: undefined, ...quiet });
    const plain = await run({ by: 'region', regions, parts });
    const conserved = await run({ by: 'region', regions, conserve: coarseRef, parts });
    // Reference 5 above the coarse value: levelled to it (shifts 5 and 15), then conserved back (shift 5).
    const leveled = await run({ by: 'region', regions, conserve: coarseRef, levels: { $node: 'ref' }, parts }, { ref: { uses: 'downscaler:test-scale', with: { ...shared, offset: 5 } } });
    const sm = (r: Awaited<ReturnType<typeof run>>) => r.artifacts.get('sm') as Series;
    const coarseValue = (d: number, pixel: number) => 0.1 + 0.01 * d + 0.02 * (Math.floor(pixel / 8 / 4) * 2 + Math.floor((pixel % 8) / 4));
    for (let i = 0; i < 64; i++) {
      assert.ok(Math.abs(sm(plain).values[1][i] - (coarseValue(1, i) + (i % 8 < 4 ? 10 : 20))) < 1e-5, `plain ${i}`);
      assert.ok(Math.abs(sm(conserved).values[1][i] - coarseValue(1, i)) < 1e-5, `conserved ${i}`);
      assert.ok(Math.abs(sm(leveled).values[1][i] - coarseValue(1, i)) < 1e-5, `leveled ${i}`);
    }
    const notes = leveled.manifest.nodes.find((n) => n.id === 'd')!.notes;
    assert.match(notes[0], /^levels: each region of each coarse cell shifted to the levels product's mean \(mean \|shift\| 10\.0\); 0 empty pixel-dates filled/);
    assert.match(notes[1], /^conserve: merged product shifted per coarse cell and date to the coarse means \(mean \|shift\| 5\.00, max 5\.00\)/);
  });
});
