import pino from 'pino';
import type { Logger } from './create-logger.js';

type Callback = (err?: Error | null) => void;

interface FlushableStream {
  flush?: (cb: Callback) => void;
  write?: (chunk: string, cb: Callback) => boolean;
  writableLength?: number;
  writableEnded?: boolean;
  destroyed?: boolean;
}

/**
 * Resolves once everything written to `stream` so far has reached its destination. A stream with
 * `flush(cb)` (sonic-boom, our formatting streams) is asked directly; a Node writable gets an
 * empty write, whose callback runs only after every earlier chunk has been handed on.
 */
export function flushStream(stream: unknown): Promise<void> {
  const target = stream as FlushableStream;
  return new Promise<void>((resolve, reject) => {
    const done: Callback = (err) => (err ? reject(err) : resolve());
    if (typeof target.flush === 'function') {
      target.flush(done);
    } else if (
      typeof target.write === 'function' &&
      target.writableEnded !== true &&
      target.destroyed !== true &&
      (target.writableLength ?? 1) > 0
    ) {
      target.write('', done);
    } else {
      resolve();
    }
  });
}

export function flushLogger(logger: Logger): Promise<void> {
  const stream: unknown = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  return flushStream(stream);
}
