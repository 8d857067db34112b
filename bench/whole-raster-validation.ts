/**
 * The whole-raster `validator:raster` of `3e3406a` (before it became a tiled stage), as the peer of
 * `npm run bench validator-tiles`: the summary, per-date, sub-grid and consistency tables of a product
 * against a reference on its grid, every raster in memory, one thread. Only what the demo's validations
 * use (no interval bounds, no finer reference, no notes); the arithmetic is that code's, unchanged.
 */
import { aggregateToGrid, checkNesting, pairedMetricsOfChunks, type Grid, type PairChunk, type PairedMetrics, type Series } from '../core/index.js';

export interface WholeRasterTables {
  readonly summary: PairedMetrics;
  readonly perDate: readonly PairedMetrics[];
  readonly subgrid: { readonly pooled: PairedMetrics; readonly dates: readonly PairedMetrics[] };
  readonly consistency: readonly { readonly cells: number; readonly abs: number; readonly sum: number; readonly max: number }[];
}

/** The old validator's metrics of `product` against `reference` (same grid, same dates) and the block means against `coarse`. */
export function wholeRasterValidation(product: Series, reference: Series, coarse: Series, minValidFraction: number): WholeRasterTables {
  const matched = product.dates.flatMap((date, i) => {
    const j = reference.dates.indexOf(date);
    return j < 0 ? [] : [[product.values[i], reference.values[j]] as PairChunk];
  });
  const nest = checkNesting(coarse.grid, product.grid);
  const cellOf = cellIndex(product.grid, coarse.grid, nest);
  const anomalies = matched.map(([p, r]) => cellAnomalies(p as Float32Array, r as Float32Array, cellOf, coarse.grid.width * coarse.grid.height));
  const momentsOnly = { rankMetrics: false } as const;
  return {
    summary: pairedMetricsOfChunks(matched),
    perDate: matched.map((chunk) => pairedMetricsOfChunks([chunk], { maxSample: 20_000 })),
    subgrid: { pooled: pairedMetricsOfChunks(anomalies, momentsOnly), dates: anomalies.map((a) => pairedMetricsOfChunks([a], momentsOnly)) },
    consistency: product.dates.flatMap((date, i) => {
      const j = coarse.dates.indexOf(date);
      return j < 0 ? [] : [blockErrors(aggregateToGrid(product.values[i], product.grid, coarse.grid, { method: 'mean', minValidFraction }), coarse.values[j])];
    }),
  };
}

function cellIndex(fine: Grid, coarse: Grid, nest: ReturnType<typeof checkNesting>): Int32Array {
  const cellOf = new Int32Array(fine.width * fine.height).fill(-1);
  for (let row = 0; row < fine.height; row++) {
    const R = Math.floor((row + nest.offsetRow) / nest.factorY);
    if (R >= coarse.height) continue;
    for (let col = 0; col < fine.width; col++) {
      const C = Math.floor((col + nest.offsetCol) / nest.factorX);
      if (C < coarse.width) cellOf[row * fine.width + col] = R * coarse.width + C;
    }
  }
  return cellOf;
}

function cellAnomalies(p: Float32Array, r: Float32Array, cellOf: Int32Array, nCells: number): PairChunk {
  const sp = new Float64Array(nCells);
  const sr = new Float64Array(nCells);
  const cnt = new Int32Array(nCells);
  for (let k = 0; k < p.length; k++) {
    const cell = cellOf[k];
    if (cell < 0 || !(Number.isFinite(p[k]) && Number.isFinite(r[k]))) continue;
    sp[cell] += p[k];
    sr[cell] += r[k];
    cnt[cell]++;
  }
  const pa = new Float32Array(p.length).fill(Number.NaN);
  const ra = new Float32Array(p.length).fill(Number.NaN);
  for (let k = 0; k < p.length; k++) {
    const c = cellOf[k];
    if (c < 0 || cnt[c] < 2 || !(Number.isFinite(p[k]) && Number.isFinite(r[k]))) continue;
    pa[k] = p[k] - sp[c] / cnt[c];
    ra[k] = r[k] - sr[c] / cnt[c];
  }
  return [pa, ra];
}

function blockErrors(agg: Float32Array, c: Float32Array) {
  let cells = 0, abs = 0, sum = 0, max = 0;
  for (let k = 0; k < agg.length; k++) {
    if (!(Number.isFinite(agg[k]) && Number.isFinite(c[k]))) continue;
    const d = agg[k] - c[k];
    cells++;
    sum += d;
    abs += Math.abs(d);
    max = Math.max(max, Math.abs(d));
  }
  return { cells, abs, sum, max };
}
