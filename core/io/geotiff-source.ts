import { open, type FileHandle } from 'node:fs/promises';

/**
 * A local-file byte source for geotiff.js (`GeoTIFF.fromSource`): positional reads only, so window
 * reads touch only the blocks they need. Counts the bytes it reads (tests check window reads).
 */
export class CountingFileSource {
  /** Total bytes requested from the file so far. */
  bytesRead = 0;
  private readonly handle: Promise<FileHandle>;

  constructor(
    readonly path: string,
    readonly size: number,
  ) {
    this.handle = open(path, 'r');
  }

  get fileSize(): number {
    return this.size;
  }

  async fetch(slices: ReadonlyArray<{ offset: number; length: number }>): Promise<ArrayBuffer[]> {
    const fh = await this.handle;
    return Promise.all(
      slices.map(async ({ offset, length }) => {
        // geotiff.js asks for fixed-size header chunks that may run past the end; zero-fill those.
        const buffer = new Uint8Array(length);
        const n = Math.max(0, Math.min(length, this.size - offset));
        if (n > 0) await fh.read(buffer, 0, n, offset);
        this.bytesRead += n;
        return buffer.buffer;
      }),
    );
  }

  /** Exactly `length` bytes at `offset` (the structure walk checks ranges before asking). */
  async read(offset: number, length: number): Promise<DataView> {
    const [buffer] = await this.fetch([{ offset, length }]);
    return new DataView(buffer);
  }

  async close(): Promise<void> {
    await (await this.handle).close();
  }
}
