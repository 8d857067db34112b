import { open, type FileHandle } from 'node:fs/promises';

/** Bytes read at once from the start of the file: a COG's directories and tables live there. */
const HEAD_BYTES = 64 * 1024;

/**
 * A local-file byte source for geotiff.js (`GeoTIFF.fromSource`): positional reads only, so window
 * reads touch only the blocks they need. The file's first 64 KiB are read once and serve the many
 * small header reads (structure walk, tags, block tables of every IFD). Counts the bytes it reads
 * (tests check window reads).
 */
export class CountingFileSource {
  /** Total bytes requested from the file so far. */
  bytesRead = 0;
  private readonly handle: Promise<FileHandle>;
  private head?: Promise<Uint8Array>;

  constructor(
    readonly path: string,
    readonly size: number,
  ) {
    this.handle = open(path, 'r');
  }

  get fileSize(): number {
    return this.size;
  }

  private headBytes(fh: FileHandle): Promise<Uint8Array> {
    this.head ??= (async () => {
      const buffer = new Uint8Array(Math.min(HEAD_BYTES, this.size));
      await fh.read(buffer, 0, buffer.length, 0);
      this.bytesRead += buffer.length;
      return buffer;
    })();
    return this.head;
  }

  async fetch(slices: ReadonlyArray<{ offset: number; length: number }>): Promise<ArrayBuffer[]> {
    const fh = await this.handle;
    return Promise.all(
      slices.map(async ({ offset, length }) => {
        if (offset + length <= Math.min(HEAD_BYTES, this.size)) {
          return (await this.headBytes(fh)).slice(offset, offset + length).buffer;
        }
        // geotiff.js asks for fixed-size header chunks that may run past the end; zero-fill those.
        const buffer = new Uint8Array(length);
        const n = Math.max(0, Math.min(length, this.size - offset));
        if (n > 0) await fh.read(buffer, 0, n, offset);
        this.bytesRead += n;
        return buffer.buffer;
      }),
    );
  }

  async close(): Promise<void> {
    await (await this.handle).close();
  }
}
