/** Helpers shared by the benchmarks: timing, peak memory, and the side-by-side table. */
import { performance } from 'node:perf_hooks';

export interface BenchRow {
  readonly task: string;
  readonly ours: number;
  readonly peer?: number;
  readonly unit: string;
  /** Accuracy or other figures printed beside the timing (e.g. `R² 0.965 vs 0.964`). */
  readonly note?: string;
}

/** The number given as `--<name>=<value>` among the benchmark flags, if any. */
export function flagValue(flags: readonly string[], name: string): number | undefined {
  const f = flags.find((a) => a.startsWith(`--${name}=`));
  return f ? Number(f.slice(name.length + 3)) : undefined;
}

export async function timed<T>(f: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Wall seconds and CPU seconds of this process (every thread) spent in `f`. */
export async function measure<T>(f: () => Promise<T> | T): Promise<{ value: T; wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Print rows as an aligned table: task, ours, peer, ratio (ours/peer: below 1 means faster), note. */
export function printTable(title: string, rows: readonly BenchRow[]): void {
  const fmt = (v: number | undefined, unit: string) => (v === undefined ? '—' : `${v < 10 ? v.toFixed(3) : v.toFixed(1)} ${unit}`);
  const lines = rows.map((r) => [
    r.task,
    fmt(r.ours, r.unit),
    fmt(r.peer, r.unit),
    r.peer ? (r.ours / r.peer).toFixed(3) : '—',
    r.note ?? '',
  ]);
  const head = ['task', 'soilscale', 'peer', 'ratio', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  console.log(`\n${title}`);
  console.log(head.map((h, i) => h.padEnd(widths[i])).join('  '));
  for (const l of lines) console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
}
