import type { ProgressReporter } from '../core/index.js';

/** A one-line progress bar on stderr, redrawn in place (only used on a terminal). */
export function createTerminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return {
    start(label, total) {
      let done = 0;
      const draw = (note = ''): void => {
        const width = 24;
        const filled = total > 0 ? Math.round((done / total) * width) : width;
        stream.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${note ? ' ' + note : ''}`);
      };
      draw();
      return {
        tick(n = 1, note) {
          done = Math.min(total, done + n);
          draw(note);
        },
        done(note) {
          done = total;
          draw(note);
          stream.write('\n');
        },
      };
    },
  };
}
