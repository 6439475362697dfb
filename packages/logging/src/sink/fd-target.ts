import { closeSync } from 'node:fs';
import type { BatchTarget } from './batched-sink.js';
import { writeFully } from './fd-writer.js';

/** An open descriptor (stdout, or one the application opened). Closing leaves 0, 1 and 2 open. */
export class FdTarget implements BatchTarget {
  readonly #fd: number;

  constructor(fd: number) {
    this.#fd = fd;
  }

  writeBatch(data: Buffer): void {
    writeFully(this.#fd, data);
  }

  close(): void {
    if (this.#fd > 2) closeSync(this.#fd);
  }
}
