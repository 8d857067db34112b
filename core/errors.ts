/**
 * Every error soilscale reports to a user. `kind` decides the CLI's exit code:
 * `usage` and `input` are problems with what the user gave (exit 2 when found before running),
 * `runtime` is a failure while running (exit 1).
 *
 * Messages name the file, the field (as a JSON-ish path), what was expected and what was found.
 */
export type ErrorKind = 'usage' | 'input' | 'runtime';

export interface ErrorDetails {
  readonly file?: string;
  /** Location inside the file: `nodes.stage1.with.trees`, `assets.ndvi_1km.href`, `tag 259`. */
  readonly path?: string;
  readonly expected?: string;
  readonly found?: string;
}

export class SoilscaleError extends Error {
  readonly kind: ErrorKind;
  readonly details: ErrorDetails;
  /** Further problems found in the same check (validation reports them all at once). */
  readonly problems: readonly string[];

  constructor(kind: ErrorKind, message: string, details: ErrorDetails = {}, problems: readonly string[] = []) {
    super(formatMessage(message, details));
    this.name = 'SoilscaleError';
    this.kind = kind;
    this.details = details;
    this.problems = problems;
  }
}

function formatMessage(message: string, d: ErrorDetails): string {
  const where = [d.file, d.path].filter(Boolean).join(': ');
  let text = where ? `${where}: ${message}` : message;
  if (d.expected !== undefined || d.found !== undefined) {
    text += ` (expected ${d.expected ?? '?'}, found ${d.found ?? '?'})`;
  }
  return text;
}

export function inputError(message: string, details: ErrorDetails = {}): SoilscaleError {
  return new SoilscaleError('input', message, details);
}

export function usageError(message: string, details: ErrorDetails = {}, problems: readonly string[] = []): SoilscaleError {
  return new SoilscaleError('usage', message, details, problems);
}

export function runtimeError(message: string, details: ErrorDetails = {}): SoilscaleError {
  return new SoilscaleError('runtime', message, details);
}

export function isSoilscaleError(e: unknown): e is SoilscaleError {
  return e instanceof SoilscaleError;
}
