import type { PluginContext } from '../../../core/index.js';

/** What one epoch of training reports. */
export interface EpochStats {
  readonly loss: number;
  readonly validationLoss?: number;
}

export interface EpochReporter {
  epoch(index: number, stats: EpochStats): void;
  done(note: string): void;
}

/**
 * Training progress for `context.progress` (one tick per epoch, the losses as the note) and the
 * logger (one debug line per epoch, one info line at the end).
 *
 * @example
 * ```ts
 * const report = epochReporter(context, 'regressor:bpnn', maxEpochs);
 * report.epoch(0, { loss: 0.41, validationLoss: 0.44 });
 * report.done('stopped early at epoch 37');
 * ```
 */
export function epochReporter(context: Pick<PluginContext, 'progress' | 'logger'>, label: string, epochs: number): EpochReporter {
  const task = context.progress.start(`train ${label}`, epochs);
  let ticks = 0;
  return {
    epoch(index, stats) {
      const note = `epoch ${index + 1}: loss ${stats.loss.toPrecision(4)}${stats.validationLoss !== undefined ? `, validation ${stats.validationLoss.toPrecision(4)}` : ''}`;
      task.tick(1, note);
      ticks++;
      context.logger.debug(`${label} ${note}`, { epoch: index + 1, loss: stats.loss, validationLoss: stats.validationLoss });
    },
    done(note) {
      // Early stopping ends before `epochs`: the bar still completes.
      if (ticks < epochs) task.tick(epochs - ticks, note);
      task.done(note);
      context.logger.info(`${label}: ${note}`);
    },
  };
}
