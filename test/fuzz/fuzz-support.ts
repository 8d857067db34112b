/**
 * The fuzz suite's shared parts: a seeded mutator (same seed → same inputs on every machine), a case
 * runner that classifies each outcome, and the tally the long mode reports.
 *
 * Property checked for every input: a valid result, or a SoilscaleError whose message names the
 * file — within a time bound, never a foreign error class (a stack trace for the user) and never a
 * value that differs silently from what an oracle says.
 *
 * Quick mode (default, CI): a few dozen cases per format, a few seconds. Long mode:
 * `SOILSCALE_FUZZ_LONG=1` (cases per format from `SOILSCALE_FUZZ_CASES`, default 2000); with
 * `SOILSCALE_FUZZ_REPORT=<file.json>` the figures are appended to that file; `SOILSCALE_FUZZ_SEED=n`
 * explores other cases.
 */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { isSoilscaleError } from '../../core/errors.js';
import { createRng, type Rng } from '../../core/util/random.js';

export const LONG = process.env.SOILSCALE_FUZZ_LONG === '1';

/** Cases per format: `quick` in CI, `SOILSCALE_FUZZ_CASES` (default 2000) in long mode. */
export function caseCount(quick: number): number {
  return LONG ? Number(process.env.SOILSCALE_FUZZ_CASES ?? 2000) : quick;
}

/**
 * The generator of one format's cases: a fixed seed (same cases on every machine), shifted by
 * `SOILSCALE_FUZZ_SEED` to explore other cases.
 */
export function caseRng(seed: number): Rng {
  return createRng(seed + Number(process.env.SOILSCALE_FUZZ_SEED ?? 0));
}

/** Time one case may take before it counts as a hang. */
export const CASE_TIMEOUT_MS = 20_000;

export type { Rng };

export type Outcome = 'ok' | 'error' | 'timeout' | 'foreign-error' | 'unnamed-error' | 'differs';

export interface Violation {
  readonly format: string;
  readonly seed: string;
  readonly mutation: string;
  readonly outcome: Outcome;
  readonly detail: string;
}

/** Counts per outcome, worst time and memory, and every violation with what produced it. */
export class FuzzTally {
  readonly counts: Record<Outcome, number> = { ok: 0, error: 0, timeout: 0, 'foreign-error': 0, 'unnamed-error': 0, differs: 0 };
  readonly violations: Violation[] = [];
  maxMs = 0;
  slowest = '';
  private readonly rssStart = process.resourceUsage().maxRSS;

  constructor(readonly format: string) {}

  record(outcome: Outcome, ms: number, seed: string, mutation: string, detail = ''): void {
    this.counts[outcome]++;
    if (ms > this.maxMs) [this.maxMs, this.slowest] = [ms, `${seed} / ${mutation}`];
    if (outcome !== 'ok' && outcome !== 'error') this.violations.push({ format: this.format, seed, mutation, outcome, detail: detail.slice(0, 400) });
  }

  get cases(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** Peak resident memory of the process (MiB) and its growth during this format's cases. */
  memory(): { maxRssMiB: number; growthMiB: number } {
    const now = process.resourceUsage().maxRSS;
    return { maxRssMiB: Math.round(now / 1024), growthMiB: Math.round((now - this.rssStart) / 1024) };
  }

  /** Fail with every violation listed; in long mode, append the figures to SOILSCALE_FUZZ_REPORT first. */
  finish(memoryBoundMiB = 1024): void {
    const figures = { format: this.format, mode: LONG ? 'long' : 'quick', cases: this.cases, ...this.counts, maxCaseMs: Math.round(this.maxMs), slowest: this.slowest, ...this.memory() };
    if (process.env.SOILSCALE_FUZZ_REPORT) appendFileSync(process.env.SOILSCALE_FUZZ_REPORT, JSON.stringify({ ...figures, violations: this.violations }) + '\n');
    const list = this.violations.map((v) => `  ${v.outcome}: ${v.seed} / ${v.mutation}: ${v.detail}`).join('\n');
    assert.equal(this.violations.length, 0, `${this.format}: ${this.violations.length} of ${this.cases} cases broke the property:\n${list}`);
    assert.ok(figures.growthMiB < memoryBoundMiB, `${this.format}: peak memory grew by ${figures.growthMiB} MiB (bound ${memoryBoundMiB} MiB)`);
  }
}

/**
 * Run one case: `fn` gets the input file and returns a result (or throws). Returns the outcome:
 * `error` only for a SoilscaleError whose message names one of `names`.
 */
export async function runCase<T>(names: readonly string[], fn: () => Promise<T>): Promise<{ outcome: Outcome; ms: number; result?: T; detail: string }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CASE_TIMEOUT_MS)));
  try {
    const r = await Promise.race([fn(), timeout]);
    const ms = performance.now() - t0;
    if (r === 'timeout') return { outcome: 'timeout', ms, detail: `no answer after ${CASE_TIMEOUT_MS} ms` };
    return { outcome: 'ok', ms, result: r as T, detail: '' };
  } catch (e) {
    const ms = performance.now() - t0;
    if (!isSoilscaleError(e)) return { outcome: 'foreign-error', ms, detail: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
    if (!names.some((n) => e.message.includes(n))) return { outcome: 'unnamed-error', ms, detail: e.message };
    return { outcome: 'error', ms, detail: e.message };
  } finally {
    clearTimeout(timer);
  }
}

const INTERESTING = [0, 1, 2, 7, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/**
 * A byte-level mutation of `input`: bit flips, truncation, an "interesting" 16/32-bit word written
 * somewhere, a range overwritten, a chunk duplicated or removed. Returns the bytes and what was done.
 */
export function mutateBytes(input: Uint8Array, rng: Rng, hotRegion = input.length): { bytes: Uint8Array; mutation: string } {
  const at = (limit = input.length) => rng.int(Math.max(1, Math.min(limit, input.length)));
  const kind = rng.int(6);
  const b = Uint8Array.from(input);
  const view = new DataView(b.buffer);
  switch (kind) {
    case 0: {
      const n = 1 + rng.int(4);
      const where: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = at(rng.next() < 0.6 ? hotRegion : undefined);
        b[p] ^= 1 << rng.int(8);
        where.push(p);
      }
      return { bytes: b, mutation: `flip bits at ${where.join(',')}` };
    }
    case 1: {
      const p = at();
      return { bytes: b.subarray(0, p), mutation: `truncate to ${p}` };
    }
    case 2: {
      const p = Math.min(at(hotRegion), Math.max(0, b.length - 4));
      const v = rng.next() < 0.8 ? INTERESTING[rng.int(INTERESTING.length)] : rng.int(2 ** 32);
      const wide = rng.next() < 0.5 && p + 4 <= b.length;
      if (wide) view.setUint32(p, v >>> 0, rng.next() < 0.8);
      else if (p + 2 <= b.length) view.setUint16(p, v & 0xffff, rng.next() < 0.8);
      return { bytes: b, mutation: `set ${wide ? 'u32' : 'u16'} at ${p} to ${v}` };
    }
    case 3: {
      const p = at();
      const n = 1 + rng.int(256);
      const v = rng.int(256);
      b.fill(v, p, p + n);
      return { bytes: b, mutation: `fill ${n} bytes at ${p} with ${v}` };
    }
    case 4: {
      const p = at();
      const chunk = b.slice(p, p + 1 + rng.int(64));
      const out = new Uint8Array(b.length + chunk.length);
      out.set(b.subarray(0, p));
      out.set(chunk, p);
      out.set(b.subarray(p), p + chunk.length);
      return { bytes: out, mutation: `duplicate ${chunk.length} bytes at ${p}` };
    }
    default: {
      const p = at();
      const n = 1 + rng.int(64);
      const out = new Uint8Array(b.length - Math.min(n, b.length - p));
      out.set(b.subarray(0, p));
      out.set(b.subarray(p + n), p);
      return { bytes: out, mutation: `remove ${n} bytes at ${p}` };
    }
  }
}

/** Odd JSON values a field may be replaced with. */
const ODD_VALUES: unknown[] = [null, true, 0, -1, 1e308, -1e-308, 2 ** 53 + 1, '', ' ', 'NaN', '-inf', '../../../../etc/passwd', 'x'.repeat(5000), [], {}, [null], { '': null }, '2024-02-30', '1e999'];

/** Paths to every value of a JSON document (`[]` is the root). */
function jsonPaths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => jsonPaths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) jsonPaths(x, [...prefix, k], out);
  return out;
}

/**
 * A structural mutation of a JSON document: a value replaced by an odd one, a key removed, an array
 * element duplicated or removed, a number scaled, a string changed. Returns the text.
 */
export function mutateJson(doc: unknown, rng: Rng): { text: string; mutation: string } {
  const copy = structuredClone(doc);
  const paths = jsonPaths(copy).filter((p) => p.length > 0);
  if (paths.length === 0) return { text: JSON.stringify(ODD_VALUES[rng.int(ODD_VALUES.length)]), mutation: 'replace root' };
  const path = paths[rng.int(paths.length)];
  const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], copy);
  const key = path[path.length - 1];
  const where = path.join('.');
  const kind = rng.int(5);
  let mutation: string;
  if (kind === 0) {
    const v = ODD_VALUES[rng.int(ODD_VALUES.length)];
    parent[key] = structuredClone(v);
    mutation = `${where} = ${JSON.stringify(v)?.slice(0, 30)}`;
  } else if (kind === 1) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    mutation = `remove ${where}`;
  } else if (kind === 2 && Array.isArray(parent)) {
    parent.splice(key as number, 0, structuredClone(parent[key as number]));
    mutation = `duplicate ${where}`;
  } else if (typeof parent[key] === 'number') {
    const f = [-1, 0, 0.5, 2, 1e6, Number.MAX_VALUE][rng.int(6)];
    parent[key] = parent[key] * f;
    mutation = `${where} × ${f}`;
  } else if (typeof parent[key] === 'string') {
    const s: string = parent[key];
    const p = rng.int(s.length + 1);
    parent[key] = s.slice(0, p) + String.fromCharCode(32 + rng.int(95)) + s.slice(p + 1);
    mutation = `${where} edited at ${p}`;
  } else {
    parent[key] = ODD_VALUES[rng.int(ODD_VALUES.length)];
    mutation = `${where} replaced`;
  }
  return { text: JSON.stringify(copy, null, 1), mutation };
}
