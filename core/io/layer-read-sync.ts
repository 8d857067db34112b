import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { SoilscaleError, type ErrorDetails, type ErrorKind } from '../errors.js';
import type { RasterAddress } from './raster-source.js';
import { ANSWERED, RECEIVED, RECEIVE_TIMEOUT_MS, SENT } from './layer-read-signal.js';

interface Reply {
  readonly values?: Float32Array[];
  readonly error?: { kind?: ErrorKind; message: string; details?: ErrorDetails; problems?: string[] };
}

/** This thread's reading worker, started on first use and kept (its start costs a few hundred ms); it never keeps the process alive. */
let reader: { worker: Worker; port: MessagePort } | undefined;

function layerReader(): { worker: Worker; port: MessagePort } {
  if (reader) return reader;
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./layer-read-worker.js', import.meta.url), { workerData: { port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  const started = { worker, port: port1 };
  const forget = () => {
    if (reader === started) reader = undefined;
  };
  worker.on('exit', forget).on('error', forget);
  return (reader = started);
}

/**
 * Read raster layers whole, synchronously: what a layer-backed series (`layerBackedSeries`) needs when a
 * reader asks for its `values`, which cannot wait for the asynchronous GeoTIFF reader. The read runs in
 * a worker thread with the reader every other path uses (`openRasterLayer(...).read()`, so the same
 * values), while this thread waits on a shared flag; the arrays come back transferred, not copied, so
 * the peak is what an asynchronous read's would be. A reader's error is raised here as it was raised there.
 */
export function readLayersSync(layers: readonly RasterAddress[]): Float32Array[] {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port } = layerReader();
  port.postMessage({ layers, signal });
  // A reading thread that never takes the request (it failed to start) would block this thread forever.
  if (Atomics.wait(signal, 0, SENT, RECEIVE_TIMEOUT_MS) === 'timed-out') {
    throw new Error(`reading ${layers.map((l) => l.path).join(', ')}: the reading thread did not take the request within ${RECEIVE_TIMEOUT_MS / 1000} s`);
  }
  while (Atomics.load(signal, 0) !== ANSWERED) Atomics.wait(signal, 0, RECEIVED);
  const reply = receiveMessageOnPort(port)?.message as Reply | undefined;
  if (reply?.values) return reply.values;
  const e = reply?.error;
  if (!e) throw new Error(`reading ${layers.map((l) => l.path).join(', ')} in a worker thread gave no result`);
  if (!e.kind) throw new Error(e.message);
  const error = new SoilscaleError(e.kind, e.message, e.details, e.problems);
  error.message = e.message; // already formatted with its details by the reader
  throw error;
}
