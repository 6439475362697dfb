import type { BatchTarget } from './batched-sink.js';
import { writeFully } from './fd-writer.js';

/** An open descriptor (stdout, or one the application opened and still owns: it is never closed here). */
export class FdTarget implements BatchTarget {
  readonly #fd: number;

  constructor(fd: number) {
    this.#fd = fd;
  }

  writeBatch(data: Buffer): void {
    writeFully(this.#fd, data);
  }

  close(): void {}
}
