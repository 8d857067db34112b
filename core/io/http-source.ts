import { inputError, runtimeError } from '../errors.js';

/** Whether a path is an http(s) URL (read remotely) rather than a local file. */
export function isRemote(path: string): boolean {
  return /^https?:\/\//i.test(path);
}

/** Per-request timeout: `SOILSCALE_HTTP_TIMEOUT_MS`, default 30 s. */
export function httpTimeoutMs(): number {
  const v = Number(process.env.SOILSCALE_HTTP_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 30_000;
}

/**
 * One HTTP request with a timeout. A timeout or a failed connection is a runtime error, a status other
 * than 2xx an input error, each naming the URL (and the status).
 */
export async function httpRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  const ms = httpTimeoutMs();
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(ms), redirect: 'follow' });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw runtimeError('HTTP request timed out', { file: url, expected: `a response within ${ms} ms (SOILSCALE_HTTP_TIMEOUT_MS)`, found: 'no response' });
    }
    throw runtimeError('HTTP request failed', { file: url, expected: 'a reachable http(s) server', found: err.cause?.code ?? err.cause?.message ?? err.message });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw inputError(`HTTP ${response.status} ${response.statusText}`.trim(), { file: url, expected: `a 2xx response to ${init.method ?? 'GET'}${init.headers?.Range ? ` ${init.headers.Range}` : ''}`, found: `status ${response.status}` });
  }
  return response;
}

/** The body of a response, or a runtime error naming the URL when the connection drops or stalls mid-body. */
export async function responseBytes(response: Response, url: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (e) {
    const err = e as Error;
    throw runtimeError(err.name === 'TimeoutError' ? 'HTTP response timed out' : 'HTTP response broke off', { file: url, expected: `a complete body within ${httpTimeoutMs()} ms`, found: err.message });
  }
}

/** Bytes fetched at open: the TIFF header and, in a COG, every image directory before the first block. */
const HEAD_BYTES = 64 * 1024;
/** Heads kept per process: a file's format sniff, header read and each window read share one request. */
const HEAD_CACHE_SIZE = 64;
const heads = new Map<string, Promise<{ fileSize: number; head: Uint8Array }>>();

/**
 * The first 64 KiB of a remote file and its size, one request per URL and process (the most recent
 * 64 URLs are kept; a failed request is not). A server that ignores `Range` sends the whole file: it
 * is returned whole and not kept.
 */
export function remoteHead(url: string): Promise<{ fileSize: number; head: Uint8Array }> {
  const cached = heads.get(url);
  if (cached) {
    heads.delete(url);
    heads.set(url, cached);
    return cached;
  }
  const pending = fetchHead(url);
  heads.set(url, pending);
  if (heads.size > HEAD_CACHE_SIZE) heads.delete(heads.keys().next().value!);
  pending.then(
    ({ fileSize, head }) => head.length === fileSize && fileSize > HEAD_BYTES && heads.delete(url),
    () => heads.delete(url),
  );
  return pending;
}

async function fetchHead(url: string): Promise<{ fileSize: number; head: Uint8Array }> {
  const response = await httpRequest(url, { headers: { Range: `bytes=0-${HEAD_BYTES - 1}` } });
  const head = await responseBytes(response, url);
  if (response.status === 200) return { fileSize: head.length, head };
  const total = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '')?.[1];
  if (total === undefined) {
    throw inputError('HTTP range response without a file size', { file: url, expected: 'a Content-Range header "bytes 0-…/<size>"', found: JSON.stringify(response.headers.get('content-range')) });
  }
  return { fileSize: Number(total), head };
}

/**
 * A remote file as a byte source for geotiff.js (`GeoTIFF.fromSource`): the first 64 KiB in one request
 * per process (a Cloud-Optimized GeoTIFF keeps its directories there), then one HTTP range request per block asked
 * for, so a window read fetches only the tiles it touches. A server that ignores `Range` and sends the
 * whole file (200) is used as it is: correct, just not partial.
 */
export class HttpRangeSource {
  /** Bytes received by this source's range requests (the shared head is not counted). */
  bytesRead = 0;

  private constructor(
    readonly url: string,
    readonly fileSize: number,
    private readonly head: Uint8Array,
  ) {}

  /** Open `url`: its first 64 KiB and size (`Content-Range`), fetched once per process (see `remoteHead`). */
  static async open(url: string): Promise<HttpRangeSource> {
    const { fileSize, head } = await remoteHead(url);
    return new HttpRangeSource(url, fileSize, head);
  }

  async fetch(slices: ReadonlyArray<{ offset: number; length: number }>): Promise<ArrayBuffer[]> {
    return Promise.all(slices.map((s) => this.slice(s.offset, s.length)));
  }

  private async slice(offset: number, length: number): Promise<ArrayBuffer> {
    const out = new Uint8Array(length);
    const end = Math.min(offset + length, this.fileSize);
    if (end <= offset) return out.buffer;
    if (end <= this.head.length) {
      out.set(this.head.subarray(offset, end));
      return out.buffer;
    }
    const response = await httpRequest(this.url, { headers: { Range: `bytes=${offset}-${end - 1}` } });
    const body = await responseBytes(response, this.url);
    // 206 holds exactly the range; a 200 (Range ignored) holds the whole file.
    const part = response.status === 206 ? body : body.subarray(offset, end);
    if (part.length !== end - offset) {
      throw inputError('HTTP range response of the wrong length', { file: this.url, expected: `${end - offset} bytes at offset ${offset}`, found: `${part.length} bytes (status ${response.status})` });
    }
    this.bytesRead += part.length;
    out.set(part);
    return out.buffer;
  }

  async close(): Promise<void> {}
}
