/**
 * The pipeline file format (`schemaVersion` 1.0), as parsed from JSON. See `docs/pipelines.md`.
 */
export interface PipelineDocument {
  readonly $schema?: string;
  readonly schemaVersion: '1.0';
  readonly id: string;
  readonly title?: string;
  readonly description?: string;
  /** Third-party plugin modules: paths relative to the pipeline file, or npm package names. */
  readonly plugins?: readonly string[];
  /** Pipeline params: a JSON Schema per param, with a `default`; overridable with `--param k=v`. */
  readonly params?: Readonly<Record<string, ParamDeclaration>>;
  readonly nodes: Readonly<Record<string, NodeSpec>>;
  readonly outputs: Readonly<Record<string, NodeRef>>;
}

export interface ParamDeclaration {
  readonly type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  readonly default?: unknown;
  readonly description?: string;
  readonly [keyword: string]: unknown;
}

/** `{"$param": "name"}`: replaced by the param's value before anything else. */
export interface ParamRef {
  readonly $param: string;
}

/** `{"$node": "id", "output": "name", "alternative": "rf"}`: another node's output. */
export interface NodeRef {
  readonly $node: string;
  readonly output?: string;
  /** For a compare node's (or a fanned-out node's) outputs: pick one alternative. */
  readonly alternative?: string;
}

export interface PluginUseSpec {
  readonly uses: string;
  readonly version?: string;
  readonly with?: Readonly<Record<string, unknown>>;
}

export interface PluginNodeSpec extends PluginUseSpec {
  readonly title?: string;
  readonly description?: string;
  readonly optional?: boolean;
}

export type PartitionBy = 'season' | 'month' | 'dates' | 'region';

export interface PartSpec extends PluginUseSpec {
  /** `by: "dates"`: first day, `YYYY-MM-DD` or recurring `MM-DD`, inclusive. */
  readonly from?: string;
  /** `by: "dates"`: last day, inclusive. */
  readonly to?: string;
  /** `by: "region"`: class ids of the region raster, or values of the GeoJSON `property`. */
  readonly classes?: readonly (number | string)[];
}

export interface PartitionSpec {
  readonly by: PartitionBy;
  /** `by: "region"`: a class raster / static series, or GeoJSON polygons, from another node. */
  readonly regions?: NodeRef;
  /** `by: "region"`: a GeoJSON file relative to the pipeline file. */
  readonly geojson?: string;
  /** `by: "region"` with polygons: the feature property whose values `classes` lists. */
  readonly property?: string;
  /**
   * `by: "region"`: a coarse field (e.g. the coarse soil moisture) whose cell means the merged `product`
   * keeps: each cell is shifted by one constant per date (parts from different methods each conserve the
   * whole cell; their mix does not).
   */
  readonly conserve?: NodeRef;
  /**
   * `by: "region"`, with `conserve`: a fine product on the merged grid whose mean over each region of
   * each coarse cell the merged `product` takes (the parts keep their detail within the region; pixels
   * a part left empty take this product's value).
   */
  readonly levels?: NodeRef;
  readonly parts: Readonly<Record<string, PartSpec>>;
}

export interface PartitionNodeSpec {
  readonly title?: string;
  readonly description?: string;
  readonly optional?: boolean;
  readonly partition: PartitionSpec;
  /** Inputs and params shared by every part (a part's own `with` overrides). */
  readonly with?: Readonly<Record<string, unknown>>;
}

export interface CompareNodeSpec {
  readonly title?: string;
  readonly description?: string;
  readonly optional?: boolean;
  readonly compare: Readonly<Record<string, PluginUseSpec>>;
  /** Inputs and params shared by every alternative. */
  readonly with?: Readonly<Record<string, unknown>>;
}

export type NodeSpec = PluginNodeSpec | PartitionNodeSpec | CompareNodeSpec;

export function isParamRef(v: unknown): v is ParamRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as ParamRef).$param === 'string' && Object.keys(v).length === 1;
}

/** `{"$node": "scene", "outputs": ["ndvi_1km", "lst_1km"]}`: a map input of several outputs of one node, keyed by output name. */
export interface NodeOutputsRef {
  readonly $node: string;
  readonly outputs: readonly string[];
}

export function isNodeOutputsRef(v: unknown): v is NodeOutputsRef {
  return isNodeRef(v) && Array.isArray((v as unknown as NodeOutputsRef).outputs);
}

export function isNodeRef(v: unknown): v is NodeRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as NodeRef).$node === 'string';
}
