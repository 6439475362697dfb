import { isatty } from 'node:tty';
import pino from 'pino';

export type LineSink = NodeJS.WritableStream;

export interface Destination {
  stream: LineSink;
  isTTY: boolean;
}

/**
 * A file descriptor becomes a synchronous sonic-boom: each line is on the descriptor before the
 * log call returns, so `process.exit()` right after a fatal line loses nothing. The price is that
 * a full pipe blocks the caller, the same trade `console.log` makes on files and terminals.
 */
export function openDestination(destination: NodeJS.WritableStream | number = 1): Destination {
  if (typeof destination === 'number') {
    const stream = pino.destination({ dest: destination, sync: true }) as unknown as LineSink;
    return { stream, isTTY: isatty(destination) };
  }
  return { stream: destination, isTTY: (destination as { isTTY?: unknown }).isTTY === true };
}
