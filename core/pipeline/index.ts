export type * from './types.js';
export { isNodeRef, isParamRef } from './types.js';
export { loadPipeline, parseJson, type PipelineSource } from './load.js';
export { validateWithDefaults } from './ajv-messages.js';
export { basePipelineSchema, generatePipelineSchema } from './schema.js';
export { preparePipeline, typeParamValue, type PipelinePlan, type PlannedNode, type PlannedUse, type PlannedPart, type PrepareOptions, type RefBinding, type InputBinding } from './plan.js';
export { timeOwner, filterDates, maskSeries, mergeByDate, mergeByRegion, concatTables, type MergeResult, type PartSeries, type TimePart } from './partition.js';
export { classRasterRegions, polygonRegions, type RegionMap, type ClassAssignment } from './regions.js';
export { writeArtifact, writeRecordTable, recordsToCsv } from './outputs.js';
export { openRunDir, checkReplaceableRun, type RunDir } from './run-dir.js';
export { acquireRunLock, type RunLock } from './run-lock.js';
export { createWarningCollector, formatWarning, warningSummary, type RunWarning, type WarningCollector } from './warnings.js';
// Run clean-up on signals: the CLI and other hosts use it for their own staging folders (e.g. `synth`).
export { exitOnSignals, registerCleanup, runCleanups, signalExitCode } from '../util/cleanup-on-signal.js';
export type { RunManifest, NodeRecord, UseRecord } from './manifest.js';
export { runPipeline, soilscaleVersion, type RunOptions, type RunResult } from './engine.js';
