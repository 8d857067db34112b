import { createGrid, createRng, makeSeries, workerTask, type PixelWindow, type TileFunction, type TileStageRequest, type TileSummaryFunction } from '../../core/index.js';

/**
 * Test tile functions. `boxMean`: each output pixel is `scale ×` the mean of the valid values of
 * input `a` in the 3 × 3 box around it (halo 1), plus static input `b`: a stage whose tiles must read
 * their neighbours' pixels to give the untiled answer.
 */
export const boxMean: TileFunction<{ scale: number }> = ({ params, window, dates, inputs }) => {
  const a = inputs.a;
  const b = inputs.b.values[0];
  const bw = inputs.b.window;
  const dx = window.x - a.window.x;
  const dy = window.y - a.window.y;
  const mean = Array.from({ length: Math.max(1, dates.length) }, (_, d) => {
    const src = a.values[d];
    const out = new Float32Array(window.width * window.height);
    for (let r = 0; r < window.height; r++) {
      for (let c = 0; c < window.width; c++) {
        let s = 0;
        let n = 0;
        for (let y = dy + r - 1; y <= dy + r + 1; y++) {
          for (let x = dx + c - 1; x <= dx + c + 1; x++) {
            if (y < 0 || x < 0 || y >= a.window.height || x >= a.window.width) continue;
            const v = src[y * a.window.width + x];
            if (v === v) (s += v), n++;
          }
        }
        out[r * window.width + c] = (n ? (params.scale * s) / n : Number.NaN) + b[(window.y - bw.y + r) * bw.width + window.x - bw.x + c];
      }
    }
    return out;
  });
  return { mean };
};
export const boxMeanTask = workerTask(import.meta.url, { boxMean });

/** Per date, the valid pixels of `values` (width `width`) in `window`, and their sum (row-major, doubles). */
export function validSums(values: readonly Float32Array[], width: number, window: PixelWindow): { n: number; sum: number }[] {
  return values.map((v) => {
    let n = 0;
    let sum = 0;
    for (let y = window.y; y < window.y + window.height; y++) for (let x = window.x; x < window.x + window.width; x++) {
      const value = v[y * width + x];
      if (value === value) (n++, (sum += value));
    }
    return { n, sum };
  });
}

/** A summary stage: `boxMean`'s output, and per date the count and sum of `a`'s valid pixels in the tile (its halo left out). */
export const boxMeanSummary: TileSummaryFunction<{ scale: number }> = async (tile) => {
  const a = tile.inputs.a;
  const inBlock = { ...tile.window, x: tile.window.x - a.window.x, y: tile.window.y - a.window.y };
  return { outputs: await boxMean(tile), summary: { window: { ...tile.window }, dates: validSums(a.values, a.window.width, inBlock) } };
};
/** The same summary without outputs (a validator-like stage: `outputs: []`). */
export const sumsOnly: TileSummaryFunction<{ scale: number }> = async (tile) => ({ outputs: {}, summary: (await boxMeanSummary(tile)).summary });
export const boxMeanSummaryTask = workerTask(import.meta.url, { boxMeanSummary });
export const sumsOnlyTask = workerTask(import.meta.url, { sumsOnly });

/** A broken tile function: its output is one pixel short. */
export const shortTile: TileFunction<Record<string, never>> = ({ window }) => ({ mean: [new Float32Array(window.width * window.height - 1)] });
export const shortTileTask = workerTask(import.meta.url, { shortTile });

/** The untiled answer of `boxMean` on full arrays. */
export function boxMeanReference(a: Float32Array, b: Float32Array, width: number, height: number, scale: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let s = 0;
      let n = 0;
      for (let y = r - 1; y <= r + 1; y++) for (let x = c - 1; x <= c + 1; x++) {
        if (y < 0 || x < 0 || y >= height || x >= width) continue;
        const v = a[y * width + x];
        if (v === v) (s += v), n++;
      }
      out[r * width + c] = (n ? (scale * s) / n : Number.NaN) + b[r * width + c];
    }
  }
  return out;
}

/**
 * The box-mean stage's inputs: a 23 × 17 px grid (tiles of 7 leave partial tiles at the right and bottom),
 * `a` on two dates with ~10 % NaN drawn from `seed`, and a static ramp `b`.
 */
export function boxMeanInputs(seed: number) {
  const grid = createGrid(23, 17, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
  const dates = ['2024-06-01', '2024-06-02'];
  const rng = createRng(seed);
  const a = makeSeries({ variable: 'a', grid, dates, values: dates.map(() => Float32Array.from({ length: 23 * 17 }, () => (rng.next() < 0.1 ? Number.NaN : rng.next()))) });
  const b = makeSeries({ variable: 'b', grid, dates: [], values: [Float32Array.from({ length: 23 * 17 }, (_, i) => i / 100)] });
  return { grid, dates, a, b };
}

/** The box-mean stage (scale 2) over {@link boxMeanInputs}: `a` read with a halo of 1, static `b`, output `mean` in m3/m3. */
export function boxMeanRequest({ grid, dates, a, b }: ReturnType<typeof boxMeanInputs>): TileStageRequest<{ scale: number }> {
  return {
    name: 'box',
    task: boxMeanTask,
    params: { scale: 2 },
    grid,
    dates,
    inputs: { a: { series: a, halo: 1 }, b: { series: b } },
    outputs: [{ name: 'mean', variable: 'box', unit: 'm3/m3' }],
  };
}
