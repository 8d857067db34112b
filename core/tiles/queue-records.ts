import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TileJob, TileRecord } from './types.js';

/** `<store>/<stage>/done/<tile>.json`. */
export function tileRecordPath(job: Pick<TileJob, 'store' | 'stage' | 'tile'>): string {
  return join(job.store, job.stage, 'done', `${job.tile}.json`);
}

/** The tile's record when it is present, is for this stage's hash and matches its block (size and sha256); else undefined. */
export async function readTileRecord(job: TileJob): Promise<TileRecord | undefined> {
  let record: TileRecord;
  try {
    record = JSON.parse(await readFile(tileRecordPath(job), 'utf8')) as TileRecord;
  } catch {
    return undefined;
  }
  if (record.tile !== job.tile || record.stageHash !== job.stageHash) return undefined;
  let block: Buffer;
  try {
    block = await readFile(join(job.store, job.stage, record.block));
  } catch {
    return undefined;
  }
  if (block.length !== record.bytes || createHash('sha256').update(block).digest('hex') !== record.sha256) return undefined;
  return record;
}
