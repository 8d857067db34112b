import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isSoilscaleError } from '../../../core/index.js';
import { runPipeline } from '../../../core/host.js';
import { emptyRegistry, pipelineFixture, quiet, tempDir } from '../pipeline/helpers.js';

// The run-safety rules for resumable runs (docs/trustworthy-runs.md, "Resumable runs").
const run = (p: string, out: string, options: { resumable?: boolean; resume?: boolean } = {}) => runPipeline(p, { out, registry: emptyRegistry(), report: false, ...quiet, ...options });

async function usage(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e) => isSoilscaleError(e) && e.kind === 'usage' && pattern.test(e.message));
}

test('a failed resumable run keeps only its tile store, in <out>.resume, and releases its lock', async () => {
  const out = join(tempDir(), 'june');
  await assert.rejects(run(pipelineFixture('failing'), out, { resumable: true }), /boom|failed/);
  assert.ok(!existsSync(out), 'no output folder');
  assert.ok(!existsSync(`${out}.lock`), 'the lock is released');
  assert.deepEqual(readdirSync(`${out}.resume`), ['tiles']);
  assert.ok(existsSync(join(`${out}.resume`, 'tiles', 'run.json')));
  // While it waits, no other run starts over it; resuming it with another pipeline is refused and keeps it.
  await usage(run(pipelineFixture('basic'), out), /an interrupted resumable run of this output folder is waiting/);
  await usage(run(pipelineFixture('basic'), out, { resumable: true }), /is waiting/);
  await usage(run(pipelineFixture('basic'), out, { resume: true }), /started with another pipeline, params, seed/);
  assert.deepEqual(readdirSync(`${out}.resume`), ['tiles']);
});

test('resuming when no run was interrupted is a usage error naming the folder', async () => {
  await usage(run(pipelineFixture('basic'), join(tempDir(), 'july'), { resume: true }), /there is no interrupted run to resume/);
});
