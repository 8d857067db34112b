import type { Raster } from '../model/raster.js';
import type { Scene } from '../model/scene.js';
import type { Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import type { RecordTable, Table } from '../model/table.js';

/**
 * A saved, versioned model: what a regressor, inverter or downscaler persists so a model trained once
 * is applied to many days. `data` is JSON; `binary` holds large typed arrays (tree nodes, weights)
 * by name, written beside the JSON as raw little-endian files.
 */
export interface SavedModel {
  readonly kind: 'model';
  readonly format: 'soilscale-model';
  /** Version of the `SavedModel` envelope itself. */
  readonly formatVersion: 1;
  readonly pluginId: string;
  readonly pluginVersion: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly featureNames?: readonly string[];
  readonly data: unknown;
  readonly binary?: Readonly<Record<string, Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array | Uint32Array>>;
}

/** Results of a compare node: one artifact per alternative, in the order the pipeline lists them. */
export interface Alternatives {
  readonly kind: 'alternatives';
  readonly items: ReadonlyMap<string, Artifact>;
}

/** A GeoJSON FeatureCollection (regions for partitions, station layouts). */
export interface GeoJsonArtifact {
  readonly kind: 'geojson';
  readonly crs?: string;
  readonly data: { type: 'FeatureCollection'; features: unknown[] };
}

/** Anything a pipeline node consumes or produces. */
export type Artifact =
  | Series
  | Raster
  | Scene
  | Stations
  | Table
  | RecordTable
  | SavedModel
  | Alternatives
  | GeoJsonArtifact;

export type ArtifactKind = Artifact['kind'];

/**
 * The shape a node input accepts: one artifact, a list (`series[]`), or a map keyed by name
 * (`series{}`, e.g. `predictors: { ndvi: …, lst: … }`).
 */
export type PortType = ArtifactKind | `${ArtifactKind}[]` | `${ArtifactKind}{}`;

export interface PortSpec {
  readonly type: PortType;
  readonly required?: boolean;
  readonly description: string;
}

export function isArtifact(v: unknown): v is Artifact {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}
