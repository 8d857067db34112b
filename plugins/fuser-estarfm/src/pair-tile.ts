/**
 * ESTARFM for one pair of base dates as a tile function (`context.tiles`): the tile's output window is
 * predicted for every target date from blocks grown by the search-window halo. The scene-wide part
 * (similarity thresholds, zhu2018's blocks) is computed once by the fuser and arrives in the params, so
 * a tile's pixels are the same bytes as the whole-image `fusePair`, whatever the tile size.
 */
import { workerTask } from '../../../core/kernel.js';
import type { TileArgs, TileBlock, TileOutputs } from '../../../core/index.js';
import { fuseTile, type KernelOptions, type PairTile, type TileRect } from './pair-kernel.js';

/** A rectangle whose windows are clipped at its edges (the image; zhu2018: each block), with its thresholds. */
export interface PairDomain extends TileRect {
  /** Similarity thresholds: `[pair1 band 0..nb-1, pair2 band 0..nb-1]`. */
  readonly thresholds: readonly number[];
}

export interface PairTileParams {
  readonly bands: number;
  readonly base1: string;
  readonly base2: string;
  readonly kernel: KernelOptions;
  /** Cover the output grid without overlap. */
  readonly domains: readonly PairDomain[];
  /** IDL FIX: truncate predictions toward zero. */
  readonly truncate: boolean;
}

/** Input names of band `b`: the fine images (both base dates) and the coarse images (base and target dates). */
export const fineInput = (b: number): string => `fine${b}`;
export const coarseInput = (b: number): string => `coarse${b}`;
/** Output name of band `b`. */
export const bandOutput = (b: number): string => `band${b}`;

/**
 * Predict the tile's window at every stage date.
 *
 * @example
 * ```ts
 * await context.tiles.run({ name: 'pair-2024-06-01-2024-06-07', task: fusePairTileTask, params, grid, dates: targets,
 *   inputs: { fine0: { series: fineAtBases, halo: w }, coarse0: { series: coarseAtBasesAndTargets, halo: w } },
 *   outputs: [{ name: 'band0', variable: 'sm' }] });
 * ```
 */
export function fusePairTile({ params, window, dates, inputs }: TileArgs<PairTileParams>): TileOutputs {
  const { bands, kernel } = params;
  const n = window.width * window.height;
  const out = Array.from({ length: bands }, () => dates.map(() => new Float32Array(n)));
  const nanAs = kernel.compat ? kernel.background : undefined;
  for (const domain of params.domains) {
    const rect = intersect(window, domain);
    if (!rect) continue;
    const src = haloRect(rect, domain, kernel.halfWindow);
    // The block itself when it is already the search rectangle (one domain, no NaN mapping): no copy per input and date.
    const cut = (input: string, date: string) => (nanAs === undefined && sameRect(inputs[input].window, src) ? imageAt(inputs, input, date) : crop(imageAt(inputs, input, date), inputs[input].window, src, nanAs));
    const perBand = (kind: (b: number) => string, date: string) => Array.from({ length: bands }, (_, b) => cut(kind(b), date));
    const tile: PairTile = {
      width: src.width,
      height: src.height,
      out: { x: rect.x - src.x, y: rect.y - src.y, width: rect.width, height: rect.height },
      fine1: perBand(fineInput, params.base1),
      coarse1: perBand(coarseInput, params.base1),
      fine2: perBand(fineInput, params.base2),
      coarse2: perBand(coarseInput, params.base2),
      targets: dates.map((d) => perBand(coarseInput, d)),
      thresholds: domain.thresholds,
      options: kernel,
    };
    const result = fuseTile(tile);
    const at: TileRect = { x: rect.x - window.x, y: rect.y - window.y, width: rect.width, height: rect.height };
    dates.forEach((_, t) => out.forEach((o, b) => paste(o[t], window.width, at, result.values[t][b])));
  }
  if (params.truncate) for (const o of out) for (const a of o) for (let i = 0; i < a.length; i++) a[i] = Math.trunc(a[i]);
  return Object.fromEntries(out.map((o, b) => [bandOutput(b), o]));
}

/** `fusePairTile` for executors. */
export const fusePairTileTask = workerTask(import.meta.url, { fusePairTile });

function imageAt(inputs: Readonly<Record<string, TileBlock>>, input: string, date: string): Float32Array {
  const block = inputs[input];
  const i = block?.dates.indexOf(date) ?? -1;
  if (i < 0) throw new RangeError(`estarfm tile: input ${input} has no image on ${date} (has ${block ? block.dates.join(', ') : 'no block'})`);
  return block.values[i];
}

function sameRect(a: TileRect, b: TileRect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}

function intersect(a: TileRect, b: TileRect): TileRect | undefined {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const width = Math.min(a.x + a.width, b.x + b.width) - x;
  const height = Math.min(a.y + a.height, b.y + b.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : undefined;
}

/** `rect` grown by `halo` pixels, clipped to `domain`: the pixels its search windows see. */
export function haloRect(rect: TileRect, domain: TileRect, halo: number): TileRect {
  const x0 = Math.max(domain.x, rect.x - halo);
  const y0 = Math.max(domain.y, rect.y - halo);
  const x1 = Math.min(domain.x + domain.width, rect.x + rect.width + halo);
  const y1 = Math.min(domain.y + domain.height, rect.y + rect.height + halo);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Copy `rect` out of an image covering `from` (both in the same pixel coordinates); NaN becomes `nanAs` when given. */
export function crop(a: Float32Array, from: TileRect, rect: TileRect, nanAs?: number): Float32Array {
  if (rect.x < from.x || rect.y < from.y || rect.x + rect.width > from.x + from.width || rect.y + rect.height > from.y + from.height) {
    throw new RangeError(`estarfm tile: block ${JSON.stringify(from)} does not cover the search windows ${JSON.stringify(rect)} (halo too small)`);
  }
  const out = new Float32Array(rect.width * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const start = (rect.y - from.y + y) * from.width + rect.x - from.x;
    out.set(a.subarray(start, start + rect.width), y * rect.width);
  }
  if (nanAs !== undefined) for (let i = 0; i < out.length; i++) if (out[i] !== out[i]) out[i] = nanAs;
  return out;
}

/** Copy a `rect.width × rect.height` array into `rect` of an image `width` wide. */
export function paste<T extends Float32Array | Float64Array | Int32Array | Int8Array>(dst: T, width: number, rect: TileRect, src: T): void {
  for (let y = 0; y < rect.height; y++) {
    dst.set(src.subarray(y * rect.width, (y + 1) * rect.width) as never, (rect.y + y) * width + rect.x);
  }
}
