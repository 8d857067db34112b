/**
 * Synchronous clean-ups (remove a staging folder, a temp folder, a lock) that must run when the process
 * is interrupted (SIGINT, SIGTERM, SIGHUP) or exits before the owner could run them itself.
 *
 * While at least one clean-up is registered, this module listens to those signals. On a signal it runs
 * every clean-up; then, if nobody else listens to that signal, it exits with the shell convention
 * 128 + signal number (130 for SIGINT, 143 for SIGTERM). A host with its own signal listeners (the CLI,
 * an embedding server) keeps control of what happens next.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
 * const staging = mkdtempSync('staging-');
 * const release = registerCleanup(() => rmSync(staging, { recursive: true, force: true }));
 * try {
 *   writeFileSync(`${staging}/part.bin`, 'work in progress'); // an interrupt here removes the folder
 * } finally {
 *   release(); // done: the folder is the owner's again, to move into place or remove
 * }
 * rmSync(staging, { recursive: true });
 * ```
 */

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type HandledSignal = keyof typeof SIGNALS;

const cleanups = new Set<() => void>();
const listeners = new Map<HandledSignal, () => void>();

/** Register a synchronous clean-up; the returned function unregisters it (without running it). */
export function registerCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  if (cleanups.size === 1) install();
  return () => {
    cleanups.delete(fn);
    if (cleanups.size === 0) uninstall();
  };
}

/** Run (and unregister) every registered clean-up now; each failure is ignored so the others still run. */
export function runCleanups(): void {
  const all = [...cleanups];
  cleanups.clear();
  uninstall();
  runAll(all);
}

/**
 * The clean-ups before the process exits on a signal. File operations already handed to libuv's thread
 * pool (a recursive mkdir inside a folder just removed) may still land: wait for them without running
 * any JavaScript, so nothing new starts, then run the clean-ups once more.
 */
function cleanUpBeforeExit(): void {
  const all = [...cleanups];
  runCleanups();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, IN_FLIGHT_WAIT_MS);
  runAll(all);
}

const IN_FLIGHT_WAIT_MS = 50;

function runAll(all: readonly (() => void)[]): void {
  for (const fn of all) {
    try {
      fn();
    } catch {
      // best effort: a clean-up that fails must not stop the others
    }
  }
}

/** Exit code for a process ended by `signal`, by the shell convention 128 + signal number. */
export function signalExitCode(signal: HandledSignal): number {
  return 128 + SIGNALS[signal];
}

function install(): void {
  for (const signal of Object.keys(SIGNALS) as HandledSignal[]) {
    const listener = (): void => {
      const alone = process.listenerCount(signal) === 1;
      if (alone) {
        cleanUpBeforeExit();
        process.exit(signalExitCode(signal));
      }
      runCleanups();
    };
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
  process.on('exit', runCleanups);
}

function uninstall(): void {
  for (const [signal, listener] of listeners) process.off(signal, listener);
  listeners.clear();
  process.off('exit', runCleanups);
}

/**
 * For a command-line host: on SIGINT/SIGTERM/SIGHUP run every clean-up, then exit 128 + signal number
 * (130, 143, 129), whatever the process was doing.
 */
export function exitOnSignals(): void {
  for (const signal of Object.keys(SIGNALS) as HandledSignal[]) {
    process.on(signal, () => {
      cleanUpBeforeExit();
      process.exit(signalExitCode(signal));
    });
  }
}
