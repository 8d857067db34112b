/**
 * Overview pyramid for the GeoTIFF writer: level sizes, and a row-streaming 2×2 reducer that builds
 * each overview row from two rows of the level above (so memory is one row per level).
 */

export type OverviewResampling = 'average' | 'mode';

/** Level sizes `[full, ovr1, ovr2, …]`, halving (rounding up) until the level fits in one tile. */
export function pyramidSizes(width: number, height: number, tileSize: number, overviews: boolean): Array<{ width: number; height: number }> {
  const levels = [{ width, height }];
  if (!overviews) return levels;
  let w = width;
  let h = height;
  while (w > tileSize || h > tileSize) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    levels.push({ width: w, height: h });
  }
  return levels;
}

/**
 * Receives rows of one level (one Float32Array per band, `width` values each) and emits rows of the
 * next level (`ceil(width/2)` values): output pixel (i, j) covers input rows 2j, 2j+1 and columns
 * 2i, 2i+1 (clipped at the right/bottom edge). NaN inputs are ignored; all-NaN gives NaN.
 * `average` = mean of the valid inputs (float products), `mode` = most frequent valid input, ties to
 * the first in top-left, top-right, bottom-left, bottom-right order (class maps).
 */
export class OverviewReducer {
  readonly outWidth: number;
  /** The first row of the current pair (copied: the caller may reuse its buffer). */
  private readonly pending: Float32Array[];
  private hasPending = false;
  private readonly out: Float32Array[];

  constructor(
    readonly width: number,
    readonly bandCount: number,
    readonly resampling: OverviewResampling,
    private readonly emit: (rows: readonly Float32Array[]) => Promise<void>,
  ) {
    this.outWidth = Math.ceil(width / 2);
    this.out = Array.from({ length: bandCount }, () => new Float32Array(this.outWidth));
    this.pending = Array.from({ length: bandCount }, () => new Float32Array(width));
  }

  /** Bytes held: the output row and a pending input row. */
  get bufferedBytes(): number {
    return [...this.out, ...this.pending].reduce((n, b) => n + b.byteLength, 0);
  }

  /** Push one input row (band b's values at `bands[b][offset … offset+width)`). */
  async pushRow(bands: readonly Float32Array[], offset: number): Promise<void> {
    if (!this.hasPending) {
      for (let b = 0; b < this.bandCount; b++) this.pending[b].set(bands[b].subarray(offset, offset + this.width));
      this.hasPending = true;
      return;
    }
    for (let b = 0; b < this.bandCount; b++) this.reduce(this.pending[b], 0, bands[b], offset, this.out[b]);
    this.hasPending = false;
    await this.emit(this.out);
  }

  /** Flush a last unpaired row (odd height). */
  async finish(): Promise<void> {
    if (!this.hasPending) return;
    for (let b = 0; b < this.bandCount; b++) this.reduce(this.pending[b], 0, null, 0, this.out[b]);
    this.hasPending = false;
    await this.emit(this.out);
  }

  private reduce(top: Float32Array, topOff: number, bottom: Float32Array | null, botOff: number, out: Float32Array): void {
    const w = this.width;
    const average = this.resampling === 'average';
    for (let i = 0; i < this.outWidth; i++) {
      const c = 2 * i;
      const hasRight = c + 1 < w;
      const a = top[topOff + c];
      const b = hasRight ? top[topOff + c + 1] : Number.NaN;
      const d = bottom ? bottom[botOff + c] : Number.NaN;
      const e = bottom && hasRight ? bottom[botOff + c + 1] : Number.NaN;
      out[i] = average ? mean4(a, b, d, e) : mode4(a, b, d, e);
    }
  }
}

function mean4(a: number, b: number, c: number, d: number): number {
  let sum = 0;
  let n = 0;
  if (a === a) (sum += a), n++;
  if (b === b) (sum += b), n++;
  if (c === c) (sum += c), n++;
  if (d === d) (sum += d), n++;
  return n === 0 ? Number.NaN : sum / n;
}

function count4(x: number, a: number, b: number, c: number, d: number): number {
  return x !== x ? 0 : +(a === x) + +(b === x) + +(c === x) + +(d === x);
}

function mode4(a: number, b: number, c: number, d: number): number {
  // Candidates in TL, TR, BL, BR order; only a strictly larger count replaces, so ties go to the first.
  let best = a;
  let bestCount = count4(a, a, b, c, d);
  const nb = count4(b, a, b, c, d);
  if (nb > bestCount) {
    best = b;
    bestCount = nb;
  }
  const nc = count4(c, a, b, c, d);
  if (nc > bestCount) {
    best = c;
    bestCount = nc;
  }
  const nd = count4(d, a, b, c, d);
  if (nd > bestCount) {
    best = d;
    bestCount = nd;
  }
  return bestCount === 0 ? Number.NaN : best;
}
