import { escapeControlChars } from '../escape.js';
import type { LineFormatter } from './format-stream.js';
import { clockTime, isSerializedError, levelName, renderKey, renderMessage, renderString, renderValue, STANDARD_KEYS, type LogRecord } from './render.js';

export interface PrettyOptions {
  colorize: boolean;
}

const LEVEL_COLOURS: Record<string, string> = {
  trace: '90',
  debug: '34',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '97;41',
};
const DIM = '90';
const CYAN = '36';
const RED = '31';
const MAGENTA = '35';
// Trace fields are for correlating across services, not for reading: shown last and dimmed.
const TRACE_KEYS = new Set(['trace_id', 'span_id', 'parent_span_id']);

/**
 * `[HH:MM:SS.mmm] LEVEL module: (request_id) msg key=value ... err=<stack> caused by <stack>`,
 * trace ids last.
 * Still one line per call: stack traces keep their line breaks as visible `\n`. Colour codes are
 * added after escaping, so they are the only escape sequences on the line.
 */
export function prettyFormatter(options: PrettyOptions): LineFormatter {
  const paint = options.colorize
    ? (code: string, text: string) => `\u001b[${code}m${text}\u001b[0m`
    : (_code: string, text: string) => text;

  function renderError(err: LogRecord): string {
    let out = typeof err.stack === 'string' ? escapeControlChars(err.stack) : renderMessage(`${err.type}: ${err.message}`);
    for (const key of Object.keys(err)) {
      if (key === 'type' || key === 'message' || key === 'stack' || key === 'cause' || key === 'errors') continue;
      out += ` ${paint(DIM, `${renderKey(key)}=`)}${renderValue(err[key])}`;
    }
    if (Array.isArray(err.errors)) {
      const inner = err.errors.map((e) => (isSerializedError(e) ? renderError(e) : renderValue(e)));
      out += ` ${paint(DIM, 'errors=')}[${inner.join(' | ')}]`;
    }
    if (err.cause !== undefined) {
      out += ` ${paint(DIM, 'caused by')} ${isSerializedError(err.cause) ? renderError(err.cause) : renderValue(err.cause)}`;
    }
    return out;
  }

  return (record) => {
    const level = levelName(record.level);
    const parts = [paint(DIM, `[${clockTime(record.time)}]`), ''];
    if (typeof record.module === 'string') parts.push(paint(MAGENTA, `${renderString(record.module)}:`));
    const requestId = record.request_id;
    if (requestId !== undefined) parts.push(paint(CYAN, `(${renderValue(requestId)})`));
    const msg = renderMessage(record.msg);
    if (msg !== '') parts.push(msg);
    const errors: string[] = [];
    const trace: string[] = [];
    for (const key of Object.keys(record)) {
      if (STANDARD_KEYS.has(key) || key === 'request_id' || (key === 'module' && typeof record.module === 'string')) continue;
      const value = record[key];
      if (TRACE_KEYS.has(key)) trace.push(paint(DIM, `${renderKey(key)}=${renderValue(value)}`));
      else if (isSerializedError(value)) errors.push(`${paint(DIM, `${renderKey(key)}=`)}${paint(RED, renderError(value))}`);
      else parts.push(`${paint(DIM, `${renderKey(key)}=`)}${renderValue(value)}`);
    }
    parts.push(...errors, ...trace);
    // Levels are padded to one width so messages align, unless nothing follows.
    const label = level.toUpperCase();
    parts[1] = paint(LEVEL_COLOURS[level] ?? '0', parts.length > 2 ? label.padEnd(5) : label);
    return parts.join(' ');
  };
}
