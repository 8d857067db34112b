import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../core/pipeline/helpers.js';

/**
 * `soilscale` processes for the queue tests: the real CLI (`dist/cli/main.js`), each in its own process
 * group so that killing a worker's group also kills its sandboxed children — as when a machine dies.
 */
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliProcess {
  readonly child: ChildProcess;
  /** The worker name BullMQ records in `processedBy` (`<host>:<pid>`). */
  readonly name: string;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when ended by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Signal the whole process group (the CLI and its sandboxed children). */
  kill(signal: NodeJS.Signals): void;
}

export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', SOILSCALE_DEBUG: '' } });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    name: `${hostname()}:${child.pid}`,
    output: () => text,
    exited,
    kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    },
  };
}

/** Run the CLI to its end: exit code and output. */
export async function runCli(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const p = startCli(args);
  const { code } = await p.exited;
  return { code, output: p.output() };
}

/** `soilscale worker` on `url`, short lock and stall timings so a dead worker's job is recovered within seconds. */
export function startWorker(url: string, concurrency = 1): CliProcess {
  return startCli(['worker', '--queue', url, '--concurrency', String(concurrency), '--lock-duration', '2000', '--stalled-interval', '1000', '--grace', '20']);
}

/** Stop workers gracefully (SIGTERM) and wait for them. */
export async function stopWorkers(workers: readonly CliProcess[]): Promise<void> {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

/** Poll `check` every 50 ms until it returns a value, or fail after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
