import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  addCentredSums,
  addPairTotals,
  CentredSumsAccumulator,
  centredSumsFromJson,
  centredSumsToJson,
  EMPTY_CENTRED_SUMS,
  EMPTY_PAIR_TOTALS,
  ExactSum,
  exactFromJson,
  exactToJson,
  exactToNumber,
  metricsOfSums,
  pairedMetrics,
  pairMeans,
  PairTotalsAccumulator,
  pairTotalsFromJson,
  pairTotalsToJson,
  rankMetricsOfPairs,
  validPairs,
  type PairedMetrics,
} from '../../../core/index.js';

/** Float32 values with gaps (NaN), as raster pixels come. */
const pixel = fc.oneof({ weight: 1, arbitrary: fc.constant(Number.NaN) }, { weight: 6, arbitrary: fc.integer({ min: 0, max: 6000 }).map((k) => Math.fround(k / 10000)) });
const pairsArb = fc.array(fc.tuple(pixel, pixel), { maxLength: 60 }).map((ps) => [Float32Array.from(ps, (p) => p[0]), Float32Array.from(ps, (p) => p[1])] as const);

/** Ranges [from, to) of `length` cut at `cuts` and into segments of `segment`. */
function pieces(length: number, cuts: readonly number[], segment: number): [number, number][] {
  const bounds = [...new Set([0, length, ...cuts.map((c) => Math.min(c, length))])].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) for (let s = bounds[i]; s < bounds[i + 1]; s += segment) out.push([s, Math.min(bounds[i + 1], s + segment)]);
  return out;
}

/**
 * The metrics from both passes' sums over pieces cut at `cuts` (as tiles would give them; each piece in
 * segments of `segment`), every piece's sums through JSON.
 */
function metricsOfPieces(e: Float32Array, o: Float32Array, cuts: readonly number[], segment = 4): PairedMetrics {
  const ranges = pieces(e.length, cuts, segment);
  let totals = EMPTY_PAIR_TOTALS;
  for (const [from, to] of ranges) {
    const acc = new PairTotalsAccumulator();
    acc.addSegment(e, o, from, to);
    totals = addPairTotals(totals, pairTotalsFromJson(JSON.parse(JSON.stringify(pairTotalsToJson(acc.value())))));
  }
  let centred = EMPTY_CENTRED_SUMS;
  for (const [from, to] of ranges) {
    const acc = new CentredSumsAccumulator(pairMeans(totals));
    acc.addSegment(e, o, from, to);
    centred = addCentredSums(centred, centredSumsFromJson(JSON.parse(JSON.stringify(centredSumsToJson(acc.value())))));
  }
  const { product, reference } = validPairs(e, o);
  return metricsOfSums(totals, centred, rankMetricsOfPairs(product, reference));
}

/** Equal, both NaN, or within `rel` of each other (relative to the larger magnitude, at least 1). */
function assertClose(got: PairedMetrics, want: PairedMetrics, rel: number): void {
  for (const k of Object.keys(want) as (keyof PairedMetrics)[]) {
    const a = got[k], b = want[k];
    if (Number.isNaN(b)) assert.ok(Number.isNaN(a), `${k}: ${a}, pairedMetrics NaN`);
    else assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b)), `${k}: ${a} vs pairedMetrics ${b}`);
  }
}

describe('ExactSum', () => {
  it('is exact where float addition is not, and rounds once', () => {
    const s = new ExactSum();
    for (const t of [1e16, 1, -1e16, 2 ** -1074, 0.1, -0.1]) s.add(t);
    const v = s.value();
    assert.equal(exactToNumber(v), 1); // 1 + 2^-1074, rounded to 1
    assert.deepEqual(v, { m: (1n << 1074n) + 1n, e: -1074 });
    // ties to even, and a sticky bit below 64 kept bits
    assert.equal(exactToNumber({ m: 2n ** 53n + 1n, e: 0 }), 2 ** 53);
    assert.equal(exactToNumber({ m: 2n ** 53n + 3n, e: 0 }), 2 ** 53 + 4);
    assert.equal(exactToNumber({ m: ((2n ** 53n + 1n) << 100n) + 1n, e: -100 }), 2 ** 53 + 2);
    assert.equal(exactToNumber({ m: -5n, e: -1 }), -2.5);
  });

  it('gives the same sum in any order and grouping, through JSON', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), { maxLength: 80 }), fc.nat(), (terms, cut) => {
        const whole = new ExactSum();
        for (const t of terms) whole.add(t);
        const k = terms.length ? cut % (terms.length + 1) : 0;
        const [a, b] = [new ExactSum(), new ExactSum()];
        for (const t of terms.slice(k).reverse()) a.add(t);
        for (const t of terms.slice(0, k)) b.add(t);
        a.addSum(b);
        assert.deepEqual(exactFromJson(exactToJson(a.value())), whole.value());
      }),
    );
  });

  it('stays exact past the carry interval (2^20 additions of 32-bit pieces)', () => {
    const s = new ExactSum();
    const t = 1 - 2 ** -52; // every significand bit set
    const n = (1 << 20) * 3 + 5;
    for (let i = 0; i < n; i++) s.add(t);
    assert.deepEqual(s.value(), { m: BigInt(n) * (2n ** 52n - 1n), e: -52 });
  });
});

describe('partial pair sums', () => {
  it('equal pairedMetrics on the concatenation (to 1e-12); cutting between segments never changes a bit', () => {
    fc.assert(
      fc.property(pairsArb, fc.array(fc.nat({ max: 15 }), { maxLength: 4 }), ([e, o], cuts) => {
        const cut = metricsOfPieces(e, o, cuts.map((c) => 4 * c));
        assert.deepEqual(cut, metricsOfPieces(e, o, []));
        assertClose(cut, pairedMetrics(e, o), 1e-12);
      }),
    );
  });

  it('constant series: zero variance exactly, R and slope NaN, as pairedMetrics', () => {
    const e = new Float32Array(50).fill(0.3);
    const o = Float32Array.from({ length: 50 }, (_, i) => Math.fround(0.1 + i / 200));
    for (const [x, y] of [[e, o], [o, e], [e, e]]) {
      const m = metricsOfPieces(x, y, [17, 33]);
      assertClose(m, pairedMetrics(x, y), 1e-12);
      assert.ok(Number.isNaN(m.r));
    }
    assert.equal(metricsOfPieces(e, o, [5]).stdProduct, 0);
  });

  it('n = 0, 1, 2 and all-NaN inputs', () => {
    const cases: [number[], number[]][] = [
      [[], []],
      [[Number.NaN, 0.2], [0.1, Number.NaN]],
      [[0.25], [0.2]],
      [[0.25, 0.3], [0.2, 0.1]],
    ];
    for (const [a, b] of cases) {
      const [e, o] = [Float32Array.from(a), Float32Array.from(b)];
      const m = metricsOfPieces(e, o, [1]);
      assert.equal(m.n, validPairs(e, o).product.length);
      assertClose(m, pairedMetrics(e, o), 1e-12);
    }
  });
});
