import { SoilscaleError } from '../errors.js';
import type { Logger } from '../services/logger.js';

/**
 * A decision a run took on the user's behalf (a resampled predictor, a skipped output, a mostly masked
 * product…). Warnings are part of a result: listed in the manifest, printed at the end of a CLI run,
 * shown at the top of the report, and a failure under `--strict`. The codes are listed in
 * docs/trustworthy-runs.md.
 */
export interface RunWarning {
  /** Stable kebab-case identifier, e.g. `predictor-resampled`. */
  readonly code: string;
  readonly message: string;
  /** The node (or `node/part`, `node/alternative`) the warning is about. */
  readonly node?: string;
}

/** Collects a run's warnings in the order they were raised; an identical warning is kept once. */
export interface WarningCollector {
  warn(code: string, message: string, node?: string): void;
  list(): readonly RunWarning[];
}

export function createWarningCollector(logger?: Logger): WarningCollector {
  const warnings: RunWarning[] = [];
  const seen = new Set<string>();
  return {
    warn(code, message, node) {
      const key = `${code}\u0000${node ?? ''}\u0000${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      warnings.push(node === undefined ? { code, message } : { code, message, node });
      logger?.info(`warning: ${node ? `[${node}] ` : ''}${message} (${code})`);
    },
    list: () => warnings,
  };
}

/** One line per warning: `[code] node: message`. */
export function formatWarning(w: RunWarning): string {
  return `[${w.code}] ${w.node ? `${w.node}: ` : ''}${w.message}`;
}

/** The short end-of-run summary (empty when there is nothing to say). */
export function warningSummary(warnings: readonly RunWarning[], limit = 10): string[] {
  if (warnings.length === 0) return [];
  const lines = [`${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`, ...warnings.slice(0, limit).map((w) => `  ${formatWarning(w)}`)];
  if (warnings.length > limit) lines.push(`  … and ${warnings.length - limit} more (see manifest.json "warnings")`);
  return lines;
}

/** The error a `strict` run fails with when it raised warnings (exit 1; nothing is kept). */
export function strictFailure(warnings: readonly RunWarning[]): SoilscaleError {
  return new SoilscaleError(
    'runtime',
    `--strict: the run raised ${warnings.length} warning${warnings.length === 1 ? '' : 's'}, so it failed and kept no output`,
    { expected: 'no warnings', found: warnings.map((w) => w.code).join(', ') },
    warnings.map(formatWarning),
  );
}
