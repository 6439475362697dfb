import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

export interface Capture {
  stream: Writable & { isTTY?: boolean };
  text(): string;
  lines(): string[];
  records(): Record<string, any>[];
}

/** A real writable stream that keeps what it receives; `isTTY` marks it as a terminal. */
export function capture(options: { isTTY?: boolean } = {}): Capture {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  if (options.isTTY) stream.isTTY = true;
  const text = () => chunks.join('');
  const lines = () => splitLines(text());
  return { stream, text, lines, records: () => lines().map((line) => JSON.parse(line)) };
}

/** Lines of an output, asserting it ends with a newline (every log line is terminated). */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`output does not end with a newline: ${JSON.stringify(text.slice(-80))}`);
  return text.slice(0, -1).split('\n');
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsforge-logging-'));
}

export function readLines(path: string): string[] {
  return splitLines(readFileSync(path, 'utf8'));
}

// Any C0 control except the line feed that ends each line, DEL, any C1 control.
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
