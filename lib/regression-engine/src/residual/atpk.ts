import type { BlockLayout } from '../block-layout.js';

/** Point-support covariance families, unit sill: `C(h)` with scale parameter `a`. */
export type CovarianceModel = 'exponential' | 'gaussian' | 'spherical';

export interface AtpkOptions {
  readonly model: CovarianceModel;
  /** Scale parameter `a` of the point covariance, in coarse cells (exponential: `C = exp(−h/a)`). */
  readonly range: number;
  /** Neighbourhood: coarse cells within this many cells (a square window) enter each system. */
  readonly radius: number;
  readonly kriging: 'ordinary' | 'simple';
  /** At most this many discretisation points per axis per block (exact when ≥ the scale factor). */
  readonly discretisation: number;
  /** At most this many distinct in-block positions per axis get their own weights. */
  readonly lattice: number;
}

export const DEFAULT_ATPK: AtpkOptions = { model: 'exponential', range: 1, radius: 2, kriging: 'ordinary', discretisation: 10, lattice: 16 };

export function pointCovariance(model: CovarianceModel, a: number): (h: number) => number {
  switch (model) {
    case 'exponential':
      return (h) => Math.exp(-h / a);
    case 'gaussian':
      return (h) => Math.exp(-(h / a) * (h / a));
    case 'spherical':
      return (h) => (h >= a ? 0 : 1 - 1.5 * (h / a) + 0.5 * (h / a) ** 3);
  }
}

/** Positions (in fine-pixel units from the block's top-left corner) of `q` evenly spaced centres. */
function centres(factor: number, q: number): Float64Array {
  return Float64Array.from({ length: q }, (_, i) => ((i + 0.5) * factor) / q);
}

/** Geometry shared by the covariance tables: distances in fine-pixel x units (y scaled by aspect). */
export interface Geometry {
  readonly fx: number;
  readonly fy: number;
  readonly aspect: number;
}

export function geometry(layout: BlockLayout): Geometry {
  const t = layout.fine.transform;
  return { fx: layout.factorX, fy: layout.factorY, aspect: Math.abs(t[5] / t[1]) };
}

/**
 * Mean covariance between block (0,0) and block (dy,dx), both discretised with `q` points per axis:
 * `C̄(V_0, V_o) = (1/n²) Σ_a Σ_b C(|a − b|)`.
 */
export function blockBlockCov(g: Geometry, cov: (h: number) => number, q: number, dy: number, dx: number): number {
  const xs = centres(g.fx, Math.min(q, g.fx));
  const ys = centres(g.fy, Math.min(q, g.fy));
  const ox = dx * g.fx;
  const oy = dy * g.fy;
  let s = 0;
  for (const ya of ys) for (const xa of xs) for (const yb of ys) for (const xb of xs) {
    const ddx = xb + ox - xa;
    const ddy = (yb + oy - ya) * g.aspect;
    s += cov(Math.sqrt(ddx * ddx + ddy * ddy));
  }
  return s / (xs.length * ys.length) ** 2;
}

/**
 * Area-to-point kriging of coarse residuals (Kyriakidis 2004): each fine pixel gets
 * `ε_F(p) = Σ_i λ_i(p) ε_C(i)` over the valid coarse cells within `radius`, with weights from the
 * block-to-block and point-to-block covariances of a point-support covariance. With exact
 * discretisation the block means of `ε_F` reproduce `ε_C` (coherence); callers add a block fix to
 * make that exact whatever the discretisation and the valid-pixel mask.
 *
 * Weights depend only on the in-block position and on which neighbours are present, so they are
 * solved once per neighbourhood pattern and reused for every cell and date.
 */
export function createAtpk(layout: BlockLayout, options: AtpkOptions) {
  const g = geometry(layout);
  const cov = pointCovariance(options.model, options.range * g.fx);
  const R = Math.max(0, Math.floor(options.radius));
  const side = 2 * R + 1;
  const q = Math.max(1, Math.floor(options.discretisation));
  // C̄(V_i, V_j) depends only on the offset between the blocks: a (4R+1)² table.
  const span = 4 * R + 1;
  const cbb = new Float64Array(span * span);
  for (let dy = -2 * R; dy <= 2 * R; dy++) {
    for (let dx = -2 * R; dx <= 2 * R; dx++) {
      const mirror = (-dy + 2 * R) * span + (-dx + 2 * R);
      const here = (dy + 2 * R) * span + (dx + 2 * R);
      cbb[here] = mirror < here ? cbb[mirror] : blockBlockCov(g, cov, q, dy, dx);
    }
  }
  // C̄(p, V_o) for each lattice position p inside the centre block and each neighbour offset o.
  const LX = Math.min(g.fx, Math.max(1, Math.floor(options.lattice)));
  const LY = Math.min(g.fy, Math.max(1, Math.floor(options.lattice)));
  const px = centres(g.fx, LX);
  const py = centres(g.fy, LY);
  const bx = centres(g.fx, Math.min(q, g.fx));
  const by = centres(g.fy, Math.min(q, g.fy));
  const L = LX * LY;
  const cpb = new Float64Array(L * side * side);
  for (let ly = 0; ly < LY; ly++) for (let lx = 0; lx < LX; lx++) {
    for (let oy = -R; oy <= R; oy++) for (let ox = -R; ox <= R; ox++) {
      let s = 0;
      for (const yb of by) for (const xb of bx) {
        const ddx = xb + ox * g.fx - px[lx];
        const ddy = (yb + oy * g.fy - py[ly]) * g.aspect;
        s += cov(Math.sqrt(ddx * ddx + ddy * ddy));
      }
      cpb[(ly * LX + lx) * side * side + (oy + R) * side + (ox + R)] = s / (bx.length * by.length);
    }
  }
  const cache = new Map<string, Float64Array>();

  /** Weights `[L × m]` for the neighbour offsets `offs` (indices into the side×side window). */
  const weightsFor = (offs: readonly number[]): Float64Array => {
    const key = offs.join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    const m = offs.length;
    const ok = options.kriging === 'ordinary';
    const n = ok ? m + 1 : m;
    const A = new Float64Array(n * n);
    for (let i = 0; i < m; i++) {
      const iy = Math.floor(offs[i] / side) - R;
      const ix = (offs[i] % side) - R;
      for (let j = 0; j < m; j++) {
        const jy = Math.floor(offs[j] / side) - R;
        const jx = (offs[j] % side) - R;
        A[i * n + j] = cbb[(jy - iy + 2 * R) * span + (jx - ix + 2 * R)];
      }
      if (ok) (A[i * n + m] = 1), (A[m * n + i] = 1);
    }
    const B = new Float64Array(n * L);
    for (let l = 0; l < L; l++) {
      for (let i = 0; i < m; i++) B[i * L + l] = cpb[l * side * side + offs[i]];
      if (ok) B[m * L + l] = 1;
    }
    solveInPlace(A, B, n, L);
    const w = new Float64Array(L * m);
    for (let l = 0; l < L; l++) for (let i = 0; i < m; i++) w[l * m + i] = B[i * L + l];
    cache.set(key, w);
    return w;
  };

  return {
    /** Krige the coarse residuals (NaN = missing cell) to the fine grid, into `out`. */
    krige(residual: ArrayLike<number>, out: Float32Array): Float32Array {
      const cw = layout.coarse.width;
      const ch = layout.coarse.height;
      const fw = layout.fine.width;
      const fh = layout.fine.height;
      out.fill(Number.NaN);
      const offs: number[] = [];
      const vals: number[] = [];
      const latticeValues = new Float64Array(L);
      for (let cy = 0; cy < ch; cy++) {
        for (let cx = 0; cx < cw; cx++) {
          const k = cy * cw + cx;
          if (layout.cellPixels[k] === 0 || !(residual[k] === residual[k])) continue;
          offs.length = 0;
          vals.length = 0;
          for (let oy = -R; oy <= R; oy++) {
            const ny = cy + oy;
            if (ny < 0 || ny >= ch) continue;
            for (let ox = -R; ox <= R; ox++) {
              const nx = cx + ox;
              if (nx < 0 || nx >= cw) continue;
              const v = residual[ny * cw + nx];
              if (v === v) {
                offs.push((oy + R) * side + (ox + R));
                vals.push(v);
              }
            }
          }
          const w = weightsFor(offs);
          const m = offs.length;
          for (let l = 0; l < L; l++) {
            let s = 0;
            for (let i = 0; i < m; i++) s += w[l * m + i] * vals[i];
            latticeValues[l] = s;
          }
          const r0 = Math.max(0, cy * g.fy - layout.offsetRow);
          const r1 = Math.min(fh, (cy + 1) * g.fy - layout.offsetRow);
          const c0 = Math.max(0, cx * g.fx - layout.offsetCol);
          const c1 = Math.min(fw, (cx + 1) * g.fx - layout.offsetCol);
          for (let r = r0; r < r1; r++) {
            const ly = Math.floor(((r + layout.offsetRow - cy * g.fy) * LY) / g.fy);
            const o = r * fw;
            for (let c = c0; c < c1; c++) {
              const lx = Math.floor(((c + layout.offsetCol - cx * g.fx) * LX) / g.fx);
              out[o + c] = latticeValues[ly * LX + lx];
            }
          }
        }
      }
      return out;
    },
    /** Number of distinct neighbourhood patterns solved so far. */
    get systems(): number {
      return cache.size;
    },
  };
}

/** Gaussian elimination with partial pivoting: solves `A X = B` for `nrhs` columns (B row-major n×nrhs). */
export function solveInPlace(A: Float64Array, B: Float64Array, n: number, nrhs: number): void {
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r * n + col]) > Math.abs(A[piv * n + col])) piv = r;
    if (piv !== col) {
      for (let j = 0; j < n; j++) [A[col * n + j], A[piv * n + j]] = [A[piv * n + j], A[col * n + j]];
      for (let j = 0; j < nrhs; j++) [B[col * nrhs + j], B[piv * nrhs + j]] = [B[piv * nrhs + j], B[col * nrhs + j]];
    }
    const d = A[col * n + col] || 1e-300;
    for (let r = col + 1; r < n; r++) {
      const f = A[r * n + col] / d;
      if (f === 0) continue;
      for (let j = col; j < n; j++) A[r * n + j] -= f * A[col * n + j];
      for (let j = 0; j < nrhs; j++) B[r * nrhs + j] -= f * B[col * nrhs + j];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    const d = A[r * n + r] || 1e-300;
    for (let j = 0; j < nrhs; j++) {
      let s = B[r * nrhs + j];
      for (let k = r + 1; k < n; k++) s -= A[r * n + k] * B[k * nrhs + j];
      B[r * nrhs + j] = s / d;
    }
  }
}

/** Result of fitting the point-support covariance range to the coarse residual variogram. */
export interface Deconvolution {
  /** Scale parameter of the point covariance, in coarse cells. */
  readonly range: number;
  /** Point-support sill fitted by least squares. */
  readonly sill: number;
  /** Number of residual pairs behind the empirical variogram. */
  readonly pairs: number;
}

/**
 * Variogram deconvolution (after Goovaerts 2008, simplified): compute the empirical coarse variogram of
 * the residuals pooled over dates (offsets up to `maxLag` cells), then choose the point-support range
 * whose regularised variogram `γ_V(o) = s·(C̄(V,V) − C̄(V,V_o))` fits it best (sill `s` by weighted
 * least squares, range on a geometric grid). Falls back to `fallbackRange` with too few pairs.
 */
export function deconvolveRange(
  residuals: readonly ArrayLike<number>[],
  layout: BlockLayout,
  model: CovarianceModel,
  { maxLag = 3, fallbackRange = 1, discretisation = 6 } = {},
): Deconvolution {
  const { offsets, gamma, count, pairs } = empiricalVariogram(residuals, layout, maxLag);
  if (pairs < 30) return { range: fallbackRange, sill: Number.NaN, pairs };
  const g = geometry(layout);
  let best = { range: fallbackRange, sill: Number.NaN, sse: Infinity };
  for (let k = 0; k < 28; k++) {
    const range = 0.15 * 1.2 ** k;
    const cov = pointCovariance(model, range * g.fx);
    const c0 = blockBlockCov(g, cov, discretisation, 0, 0);
    const gv = offsets.map(([dy, dx]) => c0 - blockBlockCov(g, cov, discretisation, dy, dx));
    let num = 0;
    let den = 0;
    for (let o = 0; o < offsets.length; o++) (num += count[o] * gamma[o] * gv[o]), (den += count[o] * gv[o] * gv[o]);
    const sill = den > 0 ? num / den : 0;
    let sse = 0;
    for (let o = 0; o < offsets.length; o++) sse += count[o] * (gamma[o] - sill * gv[o]) ** 2;
    if (sse < best.sse) best = { range, sill, sse };
  }
  return { range: best.range, sill: best.sill, pairs };
}

/** Empirical semivariogram of coarse fields pooled over dates, per cell offset (half-plane) up to `maxLag` cells. */
export function empiricalVariogram(residuals: readonly ArrayLike<number>[], layout: BlockLayout, maxLag: number) {
  const cw = layout.coarse.width;
  const ch = layout.coarse.height;
  const offsets: Array<[number, number]> = [];
  for (let dy = 0; dy <= maxLag; dy++) {
    for (let dx = -maxLag; dx <= maxLag; dx++) {
      if ((dy === 0 && dx <= 0) || dy * dy + dx * dx > maxLag * maxLag) continue;
      offsets.push([dy, dx]);
    }
  }
  const gamma = new Float64Array(offsets.length);
  const count = new Float64Array(offsets.length);
  for (const e of residuals) {
    offsets.forEach(([dy, dx], o) => {
      for (let y = 0; y + dy < ch; y++) {
        for (let x = Math.max(0, -dx); x < cw && x + dx < cw; x++) {
          const a = e[y * cw + x];
          const b = e[(y + dy) * cw + x + dx];
          if (a === a && b === b) {
            gamma[o] += 0.5 * (a - b) * (a - b);
            count[o]++;
          }
        }
      }
    });
  }
  let pairs = 0;
  for (let o = 0; o < offsets.length; o++) {
    pairs += count[o];
    if (count[o] > 0) gamma[o] /= count[o];
  }
  return { offsets, gamma, count, pairs };
}
