/**
 * Progress of long steps (epochs, tiles, dates). The CLI renders it as a bar on a terminal and stays
 * quiet in CI; tests use a silent reporter.
 *
 * @example
 * ```ts
 * const task = context.progress.start('predict tiles', tiles.length);
 * for (const tile of tiles) { work(tile); task.tick(); }
 * task.done();
 * ```
 */
export interface ProgressReporter {
  start(label: string, total: number): ProgressTask;
}

export interface ProgressTask {
  tick(n?: number, note?: string): void;
  done(note?: string): void;
}

export const silentProgress: ProgressReporter = {
  start: () => ({ tick: () => {}, done: () => {} }),
};
