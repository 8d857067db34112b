import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { inputError, runtimeError } from '../errors.js';
import type { Series } from '../model/series.js';
import { arraysPerOutput } from './block-file.js';
import { storePaths } from './store.js';
import type { TileStage } from './types.js';

/**
 * A tiled stage's outputs as series backed by the tile store (issue 15: products larger than memory in
 * normal runs).
 *
 * Design: `Series` stays the plain readonly object every plugin and writer reads — no new artifact kind
 * for plugins to handle. Its `values` is a getter that materialises the arrays on first access with
 * synchronous reads of the tile blocks (plain float32 files), so any reader gets exactly what
 * `assembleSeries` gives. The product writer asks {@link streamableTileOutput}: a series nobody read is
 * streamed from the blocks to its COGs tile row by tile row instead. The backing is found through a
 * WeakMap keyed by the series object, not a property: a copy (`{ ...s, unit }`, `selectDates`) is
 * another object holding materialised arrays, and must be written from them.
 */
export interface TileOutputRef {
  readonly store: string;
  readonly stage: TileStage;
  /** Index of the output in `stage.outputs`. */
  readonly output: number;
}

interface Backing extends TileOutputRef {
  state: 'lazy' | 'materialised' | 'released';
  /** Files the product writer streamed it to (relative to the run folder), for the message when it is read after release. */
  written?: readonly string[];
}

const backings = new WeakMap<Series, Backing>();
/** Unread tile-backed series by store and stage id: a stage written again must not change what they read. */
const unread = new Map<string, Map<string, Set<WeakRef<Series>>>>();

/** The stage's outputs as tile-backed series (nothing is read until a series' `values` is). */
export function tileBackedOutputs(store: string, stage: TileStage): Record<string, Series> {
  const out: Record<string, Series> = {};
  stage.outputs.forEach((o, k) => (out[o.name] = tileBackedSeries({ store, stage, output: k })));
  return out;
}

function tileBackedSeries(target: TileOutputRef): Series {
  const o = target.stage.outputs[target.output];
  const backing: Backing = { ...target, state: 'lazy' };
  let values: readonly Float32Array[] | undefined;
  const series: Series = {
    kind: 'series',
    variable: o.variable,
    grid: target.stage.grid,
    dates: target.stage.dates,
    // Enumerable, so a spread copy carries the materialised arrays.
    get values(): readonly Float32Array[] {
      if (!values) {
        if (backing.state === 'released') throw releasedError(backing);
        values = readTileOutput(backing);
        backing.state = 'materialised';
        stageSet(backing.store, backing.stage.id)?.delete(self);
      }
      return values;
    },
    ...(o.unit ? { unit: o.unit } : {}),
  };
  const self = new WeakRef(series);
  backings.set(series, backing);
  let stages = unread.get(backing.store);
  if (!stages) unread.set(backing.store, (stages = new Map()));
  let set = stages.get(backing.stage.id);
  if (!set) stages.set(backing.stage.id, (set = new Set()));
  set.add(self);
  return series;
}

function stageSet(store: string, id: string): Set<WeakRef<Series>> | undefined {
  return unread.get(store)?.get(id);
}

/** Where an unread tile-backed series' pixels are; undefined for any other series (or one already read). */
export function streamableTileOutput(series: Series): TileOutputRef | undefined {
  const b = backings.get(series);
  return b?.state === 'lazy' ? b : undefined;
}

/** Record the files a tile-backed series was streamed to (named if it is read after its store is released). */
export function noteTileOutputWritten(series: Series, files: readonly string[]): void {
  const b = backings.get(series);
  if (b) b.written = files;
}

/**
 * Read every unread series of stage `id` now: the stage is about to be written again (same id). Series
 * of a stage file already gone or replaced (a failed run's store) are released instead: unreadable either way.
 */
export function materialiseStageOutputs(store: string, id: string): void {
  for (const ref of [...(stageSet(store, id) ?? [])]) {
    const series = ref.deref();
    const b = series && backings.get(series);
    if (!b || b.state !== 'lazy') continue;
    if (currentStageHash(b) === b.stage.hash) void series.values;
    else b.state = 'released';
  }
  unread.get(store)?.delete(id);
}

/**
 * The store is about to be removed: every series still unread can no longer be read (an error naming
 * the files it was written to); `keep` series are read first.
 */
export function releaseTileOutputs(store: string, keep: Iterable<Series> = []): void {
  for (const s of keep) if (streamableTileOutput(s)) void s.values;
  for (const set of unread.get(store)?.values() ?? []) {
    for (const ref of set) {
      const b = ref.deref() && backings.get(ref.deref()!);
      if (b?.state === 'lazy') b.state = 'released';
    }
  }
  unread.delete(store);
}

function releasedError(b: Backing): Error {
  const o = b.stage.outputs[b.output];
  return runtimeError(`the pixels of output '${o.name}' of tile stage '${b.stage.id}' are no longer in memory nor in the tile store (removed at the end of the run)`, {
    expected: 'a series read during the run (or a run with outputsInMemory)',
    found: b.written?.length ? `written to ${b.written.slice(0, 3).join(', ')}${b.written.length > 3 ? ', …' : ''} in the run folder: read those files` : 'not written as a run output',
  });
}

/**
 * One output of a finished stage, every date, read synchronously from its blocks (one read per tile:
 * a block holds each output's dates contiguously). Refuses a stage file rewritten since (another hash).
 */
function readTileOutput({ store, stage, output }: TileOutputRef): Float32Array[] {
  const now = currentStageHash({ store, stage });
  if (now !== stage.hash) throw runtimeError(`tile stage '${stage.id}' was written again or removed before its outputs were read`, { file: join(store, storePaths.stage(stage.id)), expected: `stage hash ${stage.hash}`, found: now ?? 'no stage file' });
  const { width, height } = stage.grid;
  const per = arraysPerOutput(stage);
  const values = Array.from({ length: per }, () => new Float32Array(width * height));
  stage.windows.forEach((w, t) => {
    const n = w.width * w.height;
    const part = new Float32Array(per * n);
    readFully(join(store, storePaths.block(stage.id, t)), new Uint8Array(part.buffer), output * per * n * 4);
    for (let d = 0; d < per; d++) {
      for (let r = 0; r < w.height; r++) values[d].set(part.subarray(d * n + r * w.width, d * n + (r + 1) * w.width), (w.y + r) * width + w.x);
    }
  });
  return values;
}

/** The hash in the stage's file now; undefined when the file is gone or unreadable. */
function currentStageHash({ store, stage }: Pick<TileOutputRef, 'store' | 'stage'>): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(store, storePaths.stage(stage.id)), 'utf8')) as { hash?: string }).hash;
  } catch {
    return undefined;
  }
}

function readFully(file: string, into: Uint8Array, position: number): void {
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    while (got < into.length) {
      const n = readSync(fd, into, got, into.length - got, position + got);
      if (n === 0) throw inputError('a tile block is shorter than its stage says', { file, expected: `${into.length} bytes at offset ${position}`, found: `${got}` });
      got += n;
    }
  } finally {
    closeSync(fd);
  }
}
