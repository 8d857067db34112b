import type { Artifact, SavedModel } from '../plugin/artifact.js';
import { writeArtifact } from './outputs.js';

/**
 * Write every fitted model the nodes produced (`soilscale run --save-models`) into `dir/models/`:
 * `<node>.model.json` for a node's `model` output, `<node>.<output>.model.json` for a model under
 * another name, `<node>-<alternative>…` for each alternative of a compare or partition node (binary
 * parts beside each JSON). Returns the written files by `<node>` or `<node>.<output>`.
 */
export async function writeNodeModels(dir: string, nodes: Iterable<readonly [string, ReadonlyMap<string, Artifact>]>): Promise<Record<string, string[]>> {
  const written: Record<string, string[]> = {};
  for (const [node, outputs] of nodes) {
    for (const [output, artifact] of outputs) {
      if (!isModel(artifact)) continue;
      const name = output === 'model' ? node : `${node}.${output}`;
      written[name] = await writeArtifact(dir, `models/${name}`, artifact);
    }
  }
  return written;
}

function isModel(a: Artifact): a is SavedModel | (Artifact & { kind: 'alternatives' }) {
  return a.kind === 'model' || (a.kind === 'alternatives' && a.items.size > 0 && [...a.items.values()].every(isModel));
}
