import { writeSync } from 'node:fs';

// A descriptor opened non-blocking (a pipe shared with a libuv stream) refuses a write while the
// reader is behind. Sleep briefly and try again: the line must get there.
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `data` to `fd`, synchronously, across partial writes and EAGAIN. Returns the bytes written. */
export function writeFully(fd: number, bytes: Buffer): number {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
  return bytes.length;
}
