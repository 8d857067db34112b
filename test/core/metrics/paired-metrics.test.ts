import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  correlationPValue,
  gdown,
  iqr,
  median,
  metricsTableRow,
  pairedMetrics,
  quantile,
  regularizedIncompleteBeta,
} from '../../../core/index.js';

// metrics.md §7.2 (NumPy/SciPy, metrics_tv.py)
const o = [0.12, 0.15, 0.18, 0.22, 0.25, 0.21, 0.19, 0.16, 0.14, 0.2, 0.27, 0.3];
const e = [0.14, 0.16, 0.17, 0.25, 0.27, 0.24, 0.18, 0.18, 0.15, 0.22, 0.26, 0.33];

function close(actual: number, expected: number, rel = 1e-10, label = ''): void {
  const tol = rel * Math.max(1e-300, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${label}: ${actual} vs ${expected}`);
}

describe('pairedMetrics — metrics.md §7.2 vector', () => {
  const m = pairedMetrics(e, o);
  const expected: Record<string, number> = {
    n: 12,
    meanReference: 0.19916666666666663,
    meanProduct: 0.2125,
    bias: 0.013333333333333336,
    mae: 0.018333333333333337,
    rmse: 0.020000000000000004,
    ubrmse: 0.014907119849998601,
    ubrmseSample: 0.015569978883230463,
    r: 0.9642627586187237,
    pValue: 4.3232538139403706e-7,
    rLower: 0.8740575706082313,
    rUpper: 0.9901972063764396,
    spearman: 0.9807370556736849,
    spearmanPValue: 2.0224116061313734e-8,
    r2: 0.929802667658991,
    nse: 0.8522698127725057,
    slope: 1.0348807386509367,
    intercept: 0.006386252885355105,
    mape: 9.451723796022042,
    mse: 4.0e-4,
    mseCorr: 2.077000849793906e-4,
    mseVar: 1.4522137242832017e-5,
    mseBias: 1.777777777777786e-4,
  };
  for (const [k, v] of Object.entries(expected)) {
    it(`${k} = ${v}`, () => {
      // p-values go through the incomplete beta: 1e-9 relative; the rest is plain arithmetic.
      close(m[k as keyof typeof m], v, /pValue/i.test(k) ? 1e-9 : 1e-9, k);
    });
  }
  it('MSE parts add up to MSE', () => close(m.mseCorr + m.mseVar + m.mseBias, m.mse, 1e-12));
  it('index of agreement matches the Willmott formula computed by hand', () => {
    const mo = o.reduce((a, b) => a + b) / o.length;
    let num = 0, den = 0;
    o.forEach((oi, i) => {
      num += (e[i] - oi) ** 2;
      den += (Math.abs(e[i] - mo) + Math.abs(oi - mo)) ** 2;
    });
    close(m.d, 1 - num / den, 1e-12);
    assert.ok(m.d > 0.9 && m.d < 1);
  });
});

describe('pairedMetrics — pytesmo test_metrics.py vectors (metrics.md §7.1)', () => {
  const x = Array.from({ length: 10 }, (_, i) => i);
  it('y = x + 2: bias 2 (product − reference), RMSD 2, ubRMSD 0, MSD 4, mse_bias 4', () => {
    const m = pairedMetrics(x.map((v) => v + 2), x);
    close(m.bias, 2, 1e-15);
    close(m.rmse, 2, 1e-15);
    assert.ok(Math.abs(m.ubrmse) < 1e-14);
    close(m.mse, 4, 1e-15);
    close(m.mseBias, 4, 1e-15);
  });
  it('y[9] = 100: RMSD² = 831.7, ubRMSD = 26.7', () => {
    const y = x.map((v) => v + 2);
    y[9] = 100;
    const m = pairedMetrics(y, x);
    close(m.rmse ** 2, 831.7, 1e-12);
    close(m.ubrmse, 26.7, 1e-12);
  });
  it('y[9] = 51: MSD = 180, mse_bias = 36', () => {
    const y = x.map((v) => v + 2);
    y[9] = 51;
    const m = pairedMetrics(y, x);
    close(m.mse, 180, 1e-12);
    close(m.mseBias, 36, 1e-12);
  });
  it('x = 0..9, y = 20..29: bias(y, x) = 20, R = 1, p = 0', () => {
    const m = pairedMetrics(x.map((v) => v + 20), x);
    close(m.bias, 20, 1e-15);
    assert.equal(m.r, 1);
    assert.equal(m.pValue, 0);
  });
});

describe('pairedMetrics — pairing and edge cases (metrics.md §5)', () => {
  it('drops a pair when either value is NaN, before anything else', () => {
    const withGaps = pairedMetrics([...e, Number.NaN, 0.5], [...o, 0.3, Number.NaN]);
    const clean = pairedMetrics(e, o);
    assert.equal(withGaps.n, 12);
    assert.equal(withGaps.r, clean.r);
    assert.equal(withGaps.rmse, clean.rmse);
  });
  it('zero variance: R, p, Spearman, r2 NaN; RMSE and bias still defined', () => {
    const m = pairedMetrics([0.2, 0.2, 0.2, 0.2], [0.1, 0.2, 0.3, 0.4]);
    assert.ok(Number.isNaN(m.r) && Number.isNaN(m.pValue) && Number.isNaN(m.spearman) && Number.isNaN(m.r2));
    close(m.bias, -0.05, 1e-12);
    close(m.rmse, Math.sqrt((0.01 + 0 + 0.01 + 0.04) / 4), 1e-12);
  });
  it('MAPE skips references with |o| ≤ 0.01', () => {
    const m = pairedMetrics([0.1, 0.22], [0.005, 0.2]);
    close(m.mape, 10, 1e-12);
  });
  it('no valid pair: n = 0 and metrics NaN', () => {
    const m = pairedMetrics([Number.NaN], [1]);
    assert.equal(m.n, 0);
    assert.ok(Number.isNaN(m.rmse) && Number.isNaN(m.r) && Number.isNaN(m.kl));
  });
  it('rejects arrays of different length with a SoilscaleError', () => {
    assert.throws(() => pairedMetrics([1, 2], [1]), { name: 'SoilscaleError' });
  });
});

describe('p-values', () => {
  it('incomplete beta matches closed forms', () => {
    // I_x(1, 1) = x; I_x(2, 3) = 6x²/2 − 8x³/3 + 3x⁴/4 scaled → use I_x(a,1) = x^a.
    close(regularizedIncompleteBeta(1, 1, 0.3), 0.3, 1e-13);
    close(regularizedIncompleteBeta(2.5, 1, 0.7), 0.7 ** 2.5, 1e-13);
    close(regularizedIncompleteBeta(1, 3, 0.2), 1 - 0.8 ** 3, 1e-13);
  });
  it('df = 1 (n = 3): p = 1 − 2·atan(|t|)/π (Cauchy)', () => {
    const r = 0.8;
    const t = r * Math.sqrt(1 / (1 - r * r));
    close(correlationPValue(r, 3), 1 - (2 * Math.atan(t)) / Math.PI, 1e-12);
  });
});

describe('GDOWN — metrics.md §7.2 vector', () => {
  const lr = [0.18, 0.18, 0.19, 0.2, 0.21, 0.21, 0.2, 0.19, 0.18, 0.2, 0.22, 0.23];
  const g = gdown(e, lr, o);
  it('NO and DOWN statistics', () => {
    close(g.noDown.r, 0.96890804303334, 1e-12);
    assert.ok(Math.abs(g.noDown.bias) < 1e-15);
    close(g.noDown.slope, 0.2890484739676839, 1e-12);
    close(g.down.r, 0.9642627586187235, 1e-12);
    close(g.down.bias, 0.013333333333333336, 1e-12);
    close(g.down.slope, 1.0348807386509367, 1e-12);
  });
  it('gains', () => {
    close(g.gR, -0.06950980304195083, 1e-10);
    // B_NO is 0 up to rounding: G_B = (|B_NO| − |B_DOWN|)/(|B_NO| + |B_DOWN|) = −1
    close(g.gB, -1, 1e-12);
    close(g.gS, 0.9064649243466286, 1e-12);
    close(g.gdown, -0.05434829289844071, 1e-10);
  });
  it('0/0 := 0 when both series are identical', () => {
    assert.equal(gdown(o, o, o).gB, 0);
  });
});

describe('order statistics (NumPy linear quantiles)', () => {
  it('median and IQR ignore NaN', () => {
    assert.equal(median([3, 1, Number.NaN, 2]), 2);
    close(quantile([1, 2, 3, 4], 0.25), 1.75, 1e-15);
    close(iqr([1, 2, 3, 4, Number.NaN]), 1.5, 1e-15);
    assert.ok(Number.isNaN(median([Number.NaN])));
  });
});

describe('metricsTableRow', () => {
  it('flattens, prefixes and turns NaN into null', () => {
    const row = metricsTableRow(pairedMetrics([0.2, 0.2, 0.2], [0.1, 0.2, 0.3]), { prefix: 'down_' });
    assert.equal(row.down_n, 3);
    assert.equal(row.down_r, null);
    close(row.down_bias as number, 0, 1e-12);
  });
});
