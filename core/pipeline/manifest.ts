import type { RunWarning } from './warnings.js';

/** `<out>/manifest.json`: everything needed to know how a run's outputs were made. */
export interface RunManifest {
  readonly format: 'soilscale-run-manifest';
  readonly formatVersion: 1;
  readonly soilscaleVersion: string;
  readonly nodeVersion: string;
  readonly pipeline: {
    readonly id: string;
    readonly path?: string;
    readonly sha256: string;
    readonly document: unknown;
  };
  /** Pipeline params after defaults and overrides. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly plugins: readonly { readonly id: string; readonly version: string; readonly source: 'builtin' | 'pipeline' }[];
  readonly nodes: readonly NodeRecord[];
  /** sha256 of the pipeline and of every file a scene lists (`scene.files()`), by path. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Output name → files relative to the output folder. */
  readonly outputs: Readonly<Record<string, readonly string[]>>;
  /** With `--save-models`: every fitted model, as files under `models/`, by node (`<node>` or `<node>.<output>`). */
  readonly models?: Readonly<Record<string, readonly string[]>>;
  /** Every file written (relative), tables and sink files included. */
  readonly files: readonly string[];
  readonly notes: readonly string[];
  /** Decisions the run took on the user's behalf (docs/trustworthy-runs.md lists the codes). */
  readonly warnings: readonly RunWarning[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}

export interface UseRecord {
  readonly plugin: string;
  readonly version: string;
  /** Params after defaults. */
  readonly params: Readonly<Record<string, unknown>>;
}

export interface NodeRecord {
  readonly id: string;
  readonly type: 'plugin' | 'partition' | 'compare';
  /** The plugin (plugin nodes), or per part / alternative. */
  readonly plugin?: string;
  readonly version?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly parts?: Readonly<Record<string, UseRecord>>;
  readonly alternatives?: Readonly<Record<string, UseRecord>>;
  readonly seed: number;
  readonly durationMs: number;
  readonly skipped: boolean;
  readonly notes: readonly string[];
}
