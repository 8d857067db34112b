/**
 * SMO for libsvm's dual  min ½ αᵀQα + pᵀα,  yᵀα = Δ,  0 ≤ αᵢ ≤ C  (y = ±1), a port of libsvm's
 * `Solver` (and `Solver_NU` below): second-order working-set selection (WSS2, Fan, Chen & Lin 2005),
 * shrinking with gradient reconstruction, stopping when the maximal KKT violation is below `eps`,
 * and libsvm's ρ. The same steps in the same order as libsvm, so solutions agree to rounding.
 */

/**
 * The Q matrix seen by the solver, in the solver's (swapped) index order:
 * Q_ij = y_i · y_j · K[index_i][index_j], y the solver's labels, K a symmetric kernel matrix read by rows.
 */
export interface QMatrix {
  readonly index: Int32Array;
  /** The kernel row of variable i (indexed by `index`; valid until two other rows were requested). */
  kernelRow(i: number): Float32Array;
  /** Row i of Q, columns 0..len−1 (a buffer valid until the second call after this one). */
  getQ(i: number, len: number): Float32Array;
  /** Q's diagonal in the solver's order (double precision). */
  readonly diag: Float64Array;
  swapIndex(i: number, j: number): void;
}

export interface SmoProblem {
  readonly Q: QMatrix;
  /** Linear term p. */
  readonly p: Float64Array;
  /** Labels ±1. */
  readonly y: Int8Array;
  /** Starting α (feasible); the solution is written back into it. */
  readonly alpha: Float64Array;
  readonly C: number;
  readonly eps: number;
  readonly shrinking: boolean;
}

export interface SmoResult {
  /** Dual objective ½ αᵀQα + pᵀα at the solution. */
  readonly objective: number;
  readonly rho: number;
  /** ν-SVR only: libsvm's `r` (−ε of the fitted tube). */
  readonly r: number;
  readonly iterations: number;
  readonly reachedMaxIterations: boolean;
}

const TAU = 1e-12;
const NO_ROW = new Float32Array(0);
const LOWER = 0;
const UPPER = 1;
const FREE = 2;
const IN_UP = 1;
const IN_LOW = 2;

export class SmoSolver {
  protected readonly l: number;
  protected activeSize: number;
  protected readonly y: Int8Array;
  protected readonly G: Float64Array;
  protected readonly Gbar: Float64Array;
  protected readonly alpha: Float64Array;
  protected readonly status: Uint8Array;
  /** Per variable: bit 1 set when in I_up (α can move up along y), bit 2 when in I_low. */
  protected readonly sets: Uint8Array;
  protected readonly p: Float64Array;
  protected readonly activeSet: Int32Array;
  protected readonly Q: QMatrix;
  protected readonly QD: Float64Array;
  protected readonly C: number;
  protected readonly eps: number;
  protected unshrink = false;
  protected r = 0;
  /** WSS2's first pass done by the last gradient update (i with the largest violation, and it), until the active set changes. */
  protected fusedMax = { valid: false, Gmax: -Infinity, i: -1 };
  /** Whether `step` tracks that maximum (the ν solver selects differently). */
  protected readonly fuseFirstPass: boolean = true;

  constructor(problem: SmoProblem) {
    const l = problem.p.length;
    this.l = l;
    this.activeSize = l;
    this.Q = problem.Q;
    this.QD = problem.Q.diag;
    this.p = Float64Array.from(problem.p);
    this.y = Int8Array.from(problem.y);
    this.alpha = Float64Array.from(problem.alpha);
    this.C = problem.C;
    this.eps = problem.eps;
    this.status = new Uint8Array(l);
    this.sets = new Uint8Array(l);
    this.activeSet = Int32Array.from({ length: l }, (_, i) => i);
    this.G = new Float64Array(l);
    this.Gbar = new Float64Array(l);
  }

  protected isUpper(i: number): boolean {
    return this.status[i] === UPPER;
  }

  protected isLower(i: number): boolean {
    return this.status[i] === LOWER;
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    const st = a >= this.C ? UPPER : a <= 0 ? LOWER : FREE;
    this.status[i] = st;
    const up = this.y[i] === 1 ? st !== UPPER : st !== LOWER;
    const low = this.y[i] === 1 ? st !== LOWER : st !== UPPER;
    this.sets[i] = (up ? IN_UP : 0) | (low ? IN_LOW : 0);
  }

  private swap(i: number, j: number): void {
    this.Q.swapIndex(i, j);
    for (const a of [this.y, this.G, this.status, this.sets, this.alpha, this.p, this.activeSet, this.Gbar]) {
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Solves; writes α back into `problem.alpha` in the original order. */
  solve(problem: SmoProblem): SmoResult {
    const l = this.l;
    for (let i = 0; i < l; i++) this.updateStatus(i);
    this.initGradient();
    const maxIter = Math.max(10_000_000, 100 * l);
    let counter = Math.min(l, 1000) + 1;
    let iter = 0;
    const ij = [0, 0];
    while (iter < maxIter) {
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (problem.shrinking) this.doShrinking();
        this.fusedMax.valid = false;
      }
      if (this.selectWorkingSet(ij)) {
        this.reconstructGradient();
        this.activeSize = l;
        this.fusedMax.valid = false;
        if (this.selectWorkingSet(ij)) break;
        counter = 1;
      }
      iter++;
      this.step(ij[0], ij[1]);
    }
    if (iter >= maxIter && this.activeSize < l) {
      this.reconstructGradient();
      this.activeSize = l;
    }
    const rho = this.calculateRho();
    let v = 0;
    for (let i = 0; i < l; i++) v += this.alpha[i] * (this.G[i] + this.p[i]);
    for (let i = 0; i < l; i++) problem.alpha[this.activeSet[i]] = this.alpha[i];
    return { objective: v / 2, rho, r: this.r, iterations: iter, reachedMaxIterations: iter >= maxIter };
  }

  private initGradient(): void {
    const { l, G, Gbar, alpha } = this;
    G.set(this.p);
    for (let i = 0; i < l; i++) {
      if (this.isLower(i)) continue;
      const Qi = this.Q.getQ(i, l);
      const ai = alpha[i];
      for (let j = 0; j < l; j++) G[j] += ai * Qi[j];
      if (this.isUpper(i)) for (let j = 0; j < l; j++) Gbar[j] += this.C * Qi[j];
    }
  }

  /** One SMO step on the pair (i, j): the analytic two-variable update clipped to the box. */
  private step(i: number, j: number): void {
    const { alpha, G, QD, C } = this;
    const activeSize = this.activeSize;
    // Q rows read through sign and index rather than gathered: the same float32 values, no copies
    const { index } = this.Q;
    const y = this.y;
    const Ki = this.Q.kernelRow(i);
    const Kj = this.Q.kernelRow(j);
    const Qij = y[i] * y[j] * Ki[index[j]];
    const oldI = alpha[i];
    const oldJ = alpha[j];
    if (this.y[i] !== this.y[j]) {
      let quad = QD[i] + QD[j] + 2 * Qij;
      if (quad <= 0) quad = TAU;
      const delta = (-G[i] - G[j]) / quad;
      const diff = alpha[i] - alpha[j];
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0) {
        if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = diff; }
      } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = -diff; }
      if (diff > 0) {
        if (alpha[i] > C) { alpha[i] = C; alpha[j] = C - diff; }
      } else if (alpha[j] > C) { alpha[j] = C; alpha[i] = C + diff; }
    } else {
      let quad = QD[i] + QD[j] - 2 * Qij;
      if (quad <= 0) quad = TAU;
      const delta = (G[i] - G[j]) / quad;
      const sum = alpha[i] + alpha[j];
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > C) {
        if (alpha[i] > C) { alpha[i] = C; alpha[j] = sum - C; }
      } else if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = sum; }
      if (sum > C) {
        if (alpha[j] > C) { alpha[j] = C; alpha[i] = sum - C; }
      } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = sum; }
    }
    const wasUpperI = this.isUpper(i);
    const wasUpperJ = this.isUpper(j);
    this.updateStatus(i);
    this.updateStatus(j);
    // = Q_ik·dI + Q_jk·dJ exactly (sign flips commute with rounding)
    const a = y[i] * (alpha[i] - oldI);
    const b = y[j] * (alpha[j] - oldJ);
    if (this.fuseFirstPass) this.updateGradientAndMax(Ki, Kj, a, b);
    else {
      for (let k = 0; k < activeSize; k++) {
        const x = index[k];
        G[k] += y[k] * (Ki[x] * a + Kj[x] * b);
      }
    }
    this.updateGbar(i, wasUpperI);
    this.updateGbar(j, wasUpperJ);
  }

  /** The gradient update, also finding the next working-set i as WSS2's first pass would (same ties: last index). */
  private updateGradientAndMax(Ki: Float32Array, Kj: Float32Array, a: number, b: number): void {
    const { G, y, sets, activeSize } = this;
    const { index } = this.Q;
    let Gmax = -Infinity;
    let iMax = -1;
    for (let k = 0; k < activeSize; k++) {
      const x = index[k];
      const yk = y[k];
      const g = G[k] + yk * (Ki[x] * a + Kj[x] * b);
      G[k] = g;
      // −y·G: the violation of an α that can still move up
      if ((sets[k] & IN_UP) !== 0 && -yk * g >= Gmax) { Gmax = -yk * g; iMax = k; }
    }
    this.fusedMax.valid = true;
    this.fusedMax.Gmax = Gmax;
    this.fusedMax.i = iMax;
  }

  /** Keeps Ḡ = Σ_{α at C} C·Q_{·,k} when α_i moved onto or off the upper bound. */
  private updateGbar(i: number, wasUpper: boolean): void {
    if (wasUpper === this.isUpper(i)) return;
    const { l, Gbar, C, y } = this;
    const { index } = this.Q;
    const Ki = this.Q.kernelRow(i);
    // ±C·Q_ik = (±C·y_i)·y_k·K_ik exactly
    const s = (wasUpper ? -C : C) * y[i];
    for (let k = 0; k < l; k++) Gbar[k] += s * y[k] * Ki[index[k]];
  }

  /** Restores the gradient of the shrunk variables from Ḡ and the free variables. */
  protected reconstructGradient(): void {
    const { l, activeSize, G, Gbar, p, alpha } = this;
    if (activeSize === l) return;
    for (let j = activeSize; j < l; j++) G[j] = Gbar[j] + p[j];
    let nFree = 0;
    for (let j = 0; j < activeSize; j++) if (this.status[j] === FREE) nFree++;
    if (nFree * l > 2 * activeSize * (l - activeSize)) {
      for (let i = activeSize; i < l; i++) {
        const Qi = this.Q.getQ(i, activeSize);
        for (let j = 0; j < activeSize; j++) if (this.status[j] === FREE) G[i] += alpha[j] * Qi[j];
      }
    } else {
      for (let i = 0; i < activeSize; i++) {
        if (this.status[i] !== FREE) continue;
        const Qi = this.Q.getQ(i, l);
        const ai = alpha[i];
        for (let j = activeSize; j < l; j++) G[j] += ai * Qi[j];
      }
    }
  }

  /** WSS2: i maximises the violation, j the second-order decrease of the objective. true = optimal. */
  protected selectWorkingSet(out: number[]): boolean {
    const { G, y, QD, activeSize, sets } = this;
    let Gmax = -Infinity;
    let Gmax2 = -Infinity;
    let iMax = -1;
    let jMin = -1;
    let objMin = Infinity;
    if (this.fusedMax.valid) {
      Gmax = this.fusedMax.Gmax;
      iMax = this.fusedMax.i;
      this.fusedMax.valid = false;
    } else {
      for (let t = 0; t < activeSize; t++) {
        if ((sets[t] & IN_UP) !== 0 && -y[t] * G[t] >= Gmax) { Gmax = -y[t] * G[t]; iMax = t; }
      }
    }
    const i = iMax;
    const { index } = this.Q;
    // with no i, Gmax = −∞ and no j passes grad > 0, so Ki is never read
    const Ki = i !== -1 ? this.Q.kernelRow(i) : NO_ROW;
    const QDi = i !== -1 ? QD[i] : 0;
    for (let j = 0; j < activeSize; j++) {
      if ((sets[j] & IN_LOW) === 0) continue;
      const yG = y[j] * G[j];
      const grad = Gmax + yG;
      if (yG >= Gmax2) Gmax2 = yG;
      if (grad <= 0) continue;
      // QD_i + QD_j − 2·y_i·y_j·Q_ij, and y_i·y_j·Q_ij = K_ij
      const quad = QDi + QD[j] - 2 * Ki[index[j]];
      const obj = -(grad * grad) / (quad > 0 ? quad : TAU);
      if (obj <= objMin) { jMin = j; objMin = obj; }
    }
    if (Gmax + Gmax2 < this.eps || jMin === -1) return true;
    out[0] = iMax;
    out[1] = jMin;
    return false;
  }

  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    if (this.isUpper(i)) return this.y[i] === 1 ? -this.G[i] > Gmax1 : -this.G[i] > Gmax2;
    if (this.isLower(i)) return this.y[i] === 1 ? this.G[i] > Gmax2 : this.G[i] > Gmax1;
    return false;
  }

  protected doShrinking(): void {
    const { G, y } = this;
    let Gmax1 = -Infinity;
    let Gmax2 = -Infinity;
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] === 1) {
        if (!this.isUpper(i)) Gmax1 = Math.max(Gmax1, -G[i]);
        if (!this.isLower(i)) Gmax2 = Math.max(Gmax2, G[i]);
      } else {
        if (!this.isUpper(i)) Gmax2 = Math.max(Gmax2, -G[i]);
        if (!this.isLower(i)) Gmax1 = Math.max(Gmax1, G[i]);
      }
    }
    this.unshrinkIfClose(Gmax1 + Gmax2);
    this.shrinkWhere((i) => this.beShrunk(i, Gmax1, Gmax2));
  }

  /** Near the end, once: bring every variable back so the final passes see the whole problem. */
  protected unshrinkIfClose(gap: number): void {
    if (this.unshrink || gap > this.eps * 10) return;
    this.unshrink = true;
    this.reconstructGradient();
    this.activeSize = this.l;
  }

  /** Moves the variables that `shrunk` marks behind the active ones (libsvm's order of swaps). */
  protected shrinkWhere(shrunk: (i: number) => boolean): void {
    for (let i = 0; i < this.activeSize; i++) {
      if (!shrunk(i)) continue;
      this.activeSize--;
      while (this.activeSize > i) {
        if (!shrunk(this.activeSize)) {
          this.swap(i, this.activeSize);
          break;
        }
        this.activeSize--;
      }
    }
  }

  /** ρ: the mean of y·G over free variables, else the midpoint of the feasible interval. */
  protected calculateRho(): number {
    const { G, y } = this;
    let nFree = 0;
    let ub = Infinity;
    let lb = -Infinity;
    let sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (this.isUpper(i)) {
        if (y[i] === -1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else if (this.isLower(i)) {
        if (y[i] === 1) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else {
        nFree++;
        sumFree += yG;
      }
    }
    return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  }
}

/**
 * libsvm's `Solver_NU` (ν-SVR): two equality constraints (one per label), so the working pair
 * shares a label and selection, shrinking and ρ are done per label.
 */
export class NuSmoSolver extends SmoSolver {
  protected override readonly fuseFirstPass = false;

  protected override selectWorkingSet(out: number[]): boolean {
    const { G, y, QD, activeSize } = this;
    let Gmaxp = -Infinity;
    let Gmaxp2 = -Infinity;
    let ip = -1;
    let Gmaxn = -Infinity;
    let Gmaxn2 = -Infinity;
    let iN = -1;
    let jMin = -1;
    let objMin = Infinity;
    for (let t = 0; t < activeSize; t++) {
      if (y[t] === 1) {
        if (!this.isUpper(t) && -G[t] >= Gmaxp) { Gmaxp = -G[t]; ip = t; }
      } else if (!this.isLower(t) && G[t] >= Gmaxn) { Gmaxn = G[t]; iN = t; }
    }
    const { index } = this.Q;
    // the pair shares a label, so Q_ij = K_ij
    const Kp = ip !== -1 ? this.Q.kernelRow(ip) : NO_ROW;
    const Kn = iN !== -1 ? this.Q.kernelRow(iN) : NO_ROW;
    for (let j = 0; j < activeSize; j++) {
      let grad: number;
      let quad: number;
      if (y[j] === 1) {
        if (this.isLower(j)) continue;
        grad = Gmaxp + G[j];
        if (G[j] >= Gmaxp2) Gmaxp2 = G[j];
        if (grad <= 0) continue;
        quad = QD[ip] + QD[j] - 2 * Kp[index[j]];
      } else {
        if (this.isUpper(j)) continue;
        grad = Gmaxn - G[j];
        if (-G[j] >= Gmaxn2) Gmaxn2 = -G[j];
        if (grad <= 0) continue;
        quad = QD[iN] + QD[j] - 2 * Kn[index[j]];
      }
      const obj = -(grad * grad) / (quad > 0 ? quad : TAU);
      if (obj <= objMin) { jMin = j; objMin = obj; }
    }
    if (Math.max(Gmaxp + Gmaxp2, Gmaxn + Gmaxn2) < this.eps || jMin === -1) return true;
    out[0] = y[jMin] === 1 ? ip : iN;
    out[1] = jMin;
    return false;
  }

  protected override doShrinking(): void {
    const { G, y } = this;
    let Gmax1 = -Infinity; // y = +1, −G over I_up
    let Gmax2 = -Infinity; // y = +1, G over I_low
    let Gmax3 = -Infinity; // y = −1, G over I_low
    let Gmax4 = -Infinity; // y = −1, −G over I_up
    for (let i = 0; i < this.activeSize; i++) {
      if (!this.isUpper(i)) {
        if (y[i] === 1) Gmax1 = Math.max(Gmax1, -G[i]);
        else Gmax4 = Math.max(Gmax4, -G[i]);
      }
      if (!this.isLower(i)) {
        if (y[i] === 1) Gmax2 = Math.max(Gmax2, G[i]);
        else Gmax3 = Math.max(Gmax3, G[i]);
      }
    }
    this.unshrinkIfClose(Math.max(Gmax1 + Gmax2, Gmax3 + Gmax4));
    this.shrinkWhere((i) => {
      if (this.isUpper(i)) return y[i] === 1 ? -G[i] > Gmax1 : -G[i] > Gmax4;
      if (this.isLower(i)) return y[i] === 1 ? G[i] > Gmax2 : G[i] > Gmax3;
      return false;
    });
  }

  protected override calculateRho(): number {
    const { G, y } = this;
    const r = [0, 0];
    for (const label of [1, -1]) {
      let nFree = 0;
      let ub = Infinity;
      let lb = -Infinity;
      let sumFree = 0;
      for (let i = 0; i < this.activeSize; i++) {
        if (y[i] !== label) continue;
        if (this.isUpper(i)) lb = Math.max(lb, G[i]);
        else if (this.isLower(i)) ub = Math.min(ub, G[i]);
        else {
          nFree++;
          sumFree += G[i];
        }
      }
      r[label === 1 ? 0 : 1] = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
    }
    this.r = (r[0] + r[1]) / 2;
    return (r[0] - r[1]) / 2;
  }
}
