import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '@tsforge/logging';

/** A real JSON logger whose lines land, parsed, in `lines` (a tick after each write). */
export function capturedLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const out = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  out.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger: createLogger({ destination: out, format: 'json' }), lines };
}
