import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { runtimeError } from '../errors.js';
import type { Scene } from '../model/scene.js';
import type { Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import type { RecordTable } from '../model/table.js';
import { isArtifact, type Alternatives, type Artifact, type PortSpec } from './artifact.js';
import type { KindInterfaces, NodeReport, PluginKind, ValidateInput } from './kinds.js';
import { pluginKindOf, type AnyPluginManifest } from './manifest.js';

type Ports = Readonly<Record<string, PortSpec>>;

/**
 * The inputs of a node of the kind: `fixed` by core for every plugin of the kind, or `declared` by
 * each manifest's `inputs` (from `vocabulary` when the kind's interface names them).
 */
export type KindInputs = { readonly fixed: Ports } | { readonly declared: true; readonly vocabulary?: Ports };

/**
 * The outputs of a node of the kind: `fixed` ones every plugin has, plus the manifest's `outputs`
 * when `declared`. `open`: further outputs are named only at run time (a source's asset keys, a
 * fuser's `product.<band>`), so references to other names are not refused before running.
 */
export interface KindOutputs {
  readonly fixed: Ports;
  readonly declared: boolean;
  readonly open?: string;
}

/** A node's inputs as the engine resolved them: one artifact, a list, or a map keyed by name. */
export type NodeInputs = Readonly<Record<string, Artifact | readonly Artifact[] | Readonly<Record<string, Artifact>>>>;

/** What one call of a plugin produced, in the engine's terms. */
export interface KindOutcome extends NodeReport {
  /** Named outputs; undefined ones are absent. */
  readonly outputs: Readonly<Record<string, Artifact | undefined>>;
  /** A source's scene: its asset keys and `stations` become outputs, read on first use. */
  readonly scene?: Scene;
  /** Files written into the run folder (relative paths). */
  readonly files?: readonly string[];
  /** The output a reference without `"output"` takes, when it depends on what the plugin produced. */
  readonly primary?: string;
}

/**
 * Everything core knows about one plugin kind: what pipeline checking, schema generation,
 * `plugins describe`, registration and the engine all read.
 */
export interface KindSpec<K extends PluginKind = PluginKind> {
  readonly kind: K;
  readonly summary: string;
  /** A pipeline node of its own, or only nested in another plugin's params (a downscaler's `regressor`). */
  readonly use: 'node' | 'nested';
  readonly inputs: KindInputs;
  readonly outputs: KindOutputs;
  /** The output a reference without `"output"` takes. */
  readonly primary?: string;
  /** How the engine calls a node's plugin on its inputs (node kinds only). */
  readonly call?: (impl: KindInterfaces[K], inputs: NodeInputs, run: { readonly pluginId: string; readonly outDir: string }) => Promise<KindOutcome>;
}

const port = (type: PortSpec['type'], description: string, required = false): PortSpec => ({ type, description, ...(required ? { required } : {}) });
const series = (description: string, required = false): PortSpec => port('series', description, required);
const noOutputs: KindOutputs = { fixed: {}, declared: false };

/** The record of every plugin kind. */
export const KINDS: { readonly [K in PluginKind]: KindSpec<K> } = {
  source: {
    kind: 'source',
    summary: 'produces a scene (STAC catalog, synthetic generator) or a table (CSV)',
    use: 'node',
    inputs: { fixed: {} },
    outputs: {
      fixed: {
        scene: { type: 'scene', description: 'the scene' },
        stations: { type: 'stations', description: 'its in-situ stations, when it has any' },
        table: { type: 'records', description: 'the table, for a table source (source:csv)' },
      },
      declared: false,
      open: 'every asset key of the scene (sm_coarse, ndvi_1km, …)',
    },
    primary: 'scene',
    call: async (source) => {
      const loaded = await source.load();
      if (loaded.kind === 'records') return { outputs: { table: loaded }, primary: 'table' };
      return { outputs: { scene: loaded }, scene: loaded };
    },
  },
  transform: {
    kind: 'transform',
    summary: 'any artifacts in, named artifacts out (bias correction, gap filling, aggregation)',
    use: 'node',
    inputs: { declared: true },
    outputs: { fixed: {}, declared: true },
    call: async (transform, inputs) => {
      const r = await transform.apply(inputs as Record<string, Artifact>);
      const outputs = Object.fromEntries(Object.entries(r).filter(([k, v]) => k !== 'tables' && k !== 'notes' && isArtifact(v))) as Record<string, Artifact>;
      return { ...report(r), outputs };
    },
  },
  regressor: {
    kind: 'regressor',
    summary: 'a learner on tables (fit, predict, save, load), nested in a downscaler or a model',
    use: 'nested',
    inputs: { fixed: {} },
    outputs: noOutputs,
  },
  model: {
    kind: 'model',
    summary: 'fits a regressor on a table with a held-out split (k-fold, leave-group-out, by dates or rows)',
    use: 'node',
    inputs: { fixed: { table: port('records', 'the table: id columns, features and the target', true) } },
    outputs: {
      fixed: {
        predictions: port('records', 'the evaluated rows with their fold and `predicted`'),
        metrics: port('records', 'metrics of the held-out predictions, pooled and per group'),
        importance: port('records', 'feature importance of the model fitted on every row'),
        model: { type: 'model', description: 'the regressor fitted on every row' },
      },
      declared: false,
    },
    primary: 'predictions',
    call: async (model, inputs) => {
      const r = await model.fit({ table: inputs.table as RecordTable });
      return { ...report(r), outputs: { predictions: r.predictions, metrics: r.metrics, importance: r.importance, model: r.model } };
    },
  },
  downscaler: {
    kind: 'downscaler',
    summary: 'coarse soil moisture and fine predictors → fine soil moisture',
    use: 'node',
    inputs: {
      fixed: {
        coarse: series('coarse soil moisture series', true),
        predictors: port('series{}', 'fine predictors keyed by variable'),
        target: series('a series on the fine grid to produce (its grid is used)'),
        stations: port('stations', 'in-situ stations'),
        reference: series('a fine-scale reference on the product grid over part of the domain (a campaign map), for methods that train on it'),
      },
    },
    outputs: {
      fixed: {
        product: series('the fine soil-moisture series'),
        uncertainty: series('its per-pixel uncertainty, when the method has one'),
        lower: series('lower bound of its per-pixel prediction interval, when the method gives one'),
        upper: series('upper bound of its per-pixel prediction interval, when the method gives one'),
        model: { type: 'model', description: 'the fitted model, when the method has one' },
      },
      declared: false,
    },
    primary: 'product',
    call: async (downscaler, inputs) => {
      const r = await downscaler.downscale({
        coarse: inputs.coarse as Series,
        predictors: (inputs.predictors as Record<string, Series> | undefined) ?? {},
        target: (inputs.target as Series | undefined)?.grid,
        stations: inputs.stations as Stations | undefined,
        reference: inputs.reference as Series | undefined,
      });
      return { ...report(r), outputs: { product: r.product, uncertainty: r.uncertainty, lower: r.lower, upper: r.upper, model: r.model } };
    },
  },
  inverter: {
    kind: 'inverter',
    summary: 'a physical model: calibrated, then inverted on observations',
    use: 'node',
    inputs: {
      fixed: {
        observations: port('series{}', 'observations keyed by variable (sigma0_vv, incidence)', true),
        auxiliary: port('series{}', 'vegetation descriptor, land cover, masks'),
        reference: series('reference SM product for calibration without in-situ data'),
        stations: port('stations', 'in-situ stations for calibration'),
      },
    },
    outputs: { fixed: { product: series('the inverted soil-moisture series'), model: { type: 'model', description: 'the calibration' } }, declared: false },
    primary: 'product',
    call: async (inverter, inputs) => {
      const input = {
        observations: (inputs.observations as Record<string, Series> | undefined) ?? {},
        auxiliary: (inputs.auxiliary as Record<string, Series> | undefined) ?? {},
        reference: inputs.reference as Series | undefined,
        stations: inputs.stations as Stations | undefined,
      };
      const calibration = await inverter.calibrate(input);
      const r = await inverter.invert(input, calibration.model);
      return { tables: { ...calibration.tables, ...r.tables }, notes: [...(calibration.notes ?? []), ...(r.notes ?? [])], outputs: { product: r.product, model: calibration.model } };
    },
  },
  fuser: {
    kind: 'fuser',
    summary: 'spatiotemporal fusion: coarse series on every date + fine images on some → fine series on every date',
    use: 'node',
    inputs: {
      fixed: {
        coarse: port('series[]', 'coarse series, one per band (a single series is one band)', true),
        fine: port('series[]', 'fine series on base dates, one per band', true),
      },
    },
    outputs: { fixed: { product: series('the fused series (a single band; with several, name one: product.<band>)') }, declared: false, open: 'product.<band> for every band' },
    primary: 'product',
    call: async (fuser, inputs) => {
      const r = await fuser.fuse({ coarse: inputs.coarse as Series[], fine: inputs.fine as Series[] });
      // Several bands: each is `product.<variable>`; a bare `product` would silently mean the first one.
      const outputs: Record<string, Artifact> = r.product.length === 1 ? { product: r.product[0] } : {};
      r.product.forEach((s, i) => (outputs[`product.${s.variable || i}`] = s));
      return { ...report(r), outputs };
    },
  },
  validator: {
    kind: 'validator',
    summary: 'metrics of products against references or each other; its tables are outputs by name, its maps the output `maps`',
    use: 'node',
    inputs: {
      declared: true,
      vocabulary: {
        product: series('the product to validate'),
        reference: series('reference series (e.g. truth)'),
        coarse: series('coarse input, for consistency checks'),
        lower: series('lower bound of the product’s prediction interval (coverage, width)'),
        upper: series('upper bound of the product’s prediction interval (coverage, width)'),
        stations: port('stations', 'in-situ stations'),
        products: port('series{}', 'several products (three-cornered hat)'),
      },
    },
    outputs: { fixed: {}, declared: true },
    call: async (validator, inputs) => {
      const r = await validator.validate(inputs as ValidateInput);
      // The maps are one output, `maps`, with one alternative per map (select one with "alternative").
      const maps: Alternatives | undefined = r.maps && { kind: 'alternatives', items: new Map(Object.entries(r.maps)) };
      return { ...report(r), outputs: { ...r.tables, maps } };
    },
  },
  sink: {
    kind: 'sink',
    summary: 'writes its inputs in a form of its own into the run folder',
    use: 'node',
    inputs: { declared: true },
    outputs: noOutputs,
    call: async (sink, inputs, run) => {
      const r = await sink.write(inputs as Record<string, Artifact>, run.outDir);
      return { ...report(r), outputs: {}, files: r.files.map((f) => sinkFile(f, run)) };
    },
  },
};

function report(r: NodeReport): NodeReport {
  return { tables: r.tables, notes: r.notes };
}

/** A sink's file, checked to be a relative path inside the run folder that exists. */
function sinkFile(file: string, run: { readonly pluginId: string; readonly outDir: string }): string {
  const rel = normalize(file);
  if (isAbsolute(file) || rel === '..' || rel.startsWith('..' + sep) || !existsSync(join(run.outDir, rel))) {
    throw runtimeError(`sink '${run.pluginId}' reported a file it did not write into the run folder`, {
      expected: 'paths relative to outDir of files that exist',
      found: JSON.stringify(file),
    });
  }
  return rel;
}

/** The node inputs of a plugin: its kind's fixed inputs, or its own declared `inputs`. */
export function portsOf(manifest: Pick<AnyPluginManifest, 'id' | 'inputs'>): Ports {
  const kind = pluginKindOf(manifest.id);
  if (!kind) return {};
  const inputs = KINDS[kind].inputs;
  return 'fixed' in inputs ? inputs.fixed : (manifest.inputs ?? {});
}

/**
 * The outputs of a plugin: its kind's fixed ones plus its declared `outputs`; `open` when more are
 * named at run time (then a reference to another name is checked only when the node runs).
 */
export function outputsOf(manifest: Pick<AnyPluginManifest, 'id' | 'outputs'>): { readonly ports: Ports; readonly open: boolean } {
  const kind = pluginKindOf(manifest.id);
  if (!kind) return { ports: {}, open: true };
  const o = KINDS[kind].outputs;
  const declared = o.declared ? manifest.outputs : undefined;
  return { ports: { ...o.fixed, ...declared }, open: o.open !== undefined || (o.declared && declared === undefined) };
}

/** Call `impl`, a plugin of `kind`, the way the engine does for a node. */
export function callKind<K extends PluginKind>(kind: K, impl: KindInterfaces[K], inputs: NodeInputs, run: { readonly pluginId: string; readonly outDir: string }): Promise<KindOutcome> {
  const call = KINDS[kind].call as KindSpec<K>['call'];
  if (!call) throw runtimeError(`plugin '${run.pluginId}' is a ${kind}, which is not a pipeline node`);
  return call(impl, inputs, run);
}

/**
 * How a manifest breaks its kind's contract, one line each: inputs declared where core fixes them,
 * missing where the kind needs them declared, or outside the kind's vocabulary; outputs declared
 * where the kind has none of its own.
 */
export function kindContractProblems(manifest: Pick<AnyPluginManifest, 'id' | 'inputs' | 'outputs'>): string[] {
  const kind = pluginKindOf(manifest.id);
  if (!kind) return [`id '${manifest.id}': the kind must be one of ${Object.keys(KINDS).join(', ')}`];
  const spec: Omit<KindSpec, 'call'> = KINDS[kind];
  const problems: string[] = [];
  if ('fixed' in spec.inputs) {
    if (manifest.inputs !== undefined) problems.push(`inputs: a ${kind}'s inputs are fixed by core (${Object.keys(spec.inputs.fixed).join(', ') || 'none'}); remove "inputs"`);
  } else if (spec.inputs.vocabulary) {
    const vocabulary = spec.inputs.vocabulary;
    if (manifest.inputs === undefined) problems.push(`inputs: a ${kind} declares the inputs it takes (from: ${Object.keys(vocabulary).join(', ')})`);
    for (const [name, port] of Object.entries(manifest.inputs ?? {})) {
      const known = vocabulary[name];
      if (!known) problems.push(`inputs.${name}: not an input a ${kind} is given (expected one of: ${Object.keys(vocabulary).join(', ')})`);
      else if (known.type !== port.type) problems.push(`inputs.${name}: must be of type ${known.type}, got ${port.type}`);
    }
  }
  if (!spec.outputs.declared && manifest.outputs !== undefined) {
    problems.push(`outputs: a ${kind}'s outputs are fixed by core (${Object.keys(spec.outputs.fixed).join(', ') || 'none'}); remove "outputs"`);
  }
  return problems;
}
