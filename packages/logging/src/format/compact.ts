import type { LineFormatter } from './format-stream.js';
import { clockTime, isPlainRecord, isSerializedError, levelName, renderKey, renderMessage, renderValue, STANDARD_KEYS, type LogRecord } from './render.js';

/**
 * `HH:MM:SS.mmm LEVEL msg key=value ...` with nested objects flattened to dotted keys
 * (`req.method=GET`) and stack traces left out: a short, greppable line without colour.
 */
export function compactFormatter(): LineFormatter {
  return (record) => {
    const parts = [clockTime(record.time), levelName(record.level).toUpperCase()];
    const msg = renderMessage(record.msg);
    if (msg !== '') parts.push(msg);
    for (const key of Object.keys(record)) {
      if (STANDARD_KEYS.has(key)) continue;
      flatten(renderKey(key), record[key], parts);
    }
    if (parts.length > 2) parts[1] = (parts[1] as string).padEnd(5);
    return parts.join(' ');
  };
}

function flatten(path: string, value: unknown, parts: string[]): void {
  if (!isPlainRecord(value) || Object.keys(value).length === 0) {
    parts.push(`${path}=${renderValue(Array.isArray(value) ? withoutStacks(value) : value)}`);
    return;
  }
  const skipStack = isSerializedError(value);
  for (const key of Object.keys(value as LogRecord)) {
    if (skipStack && key === 'stack') continue;
    flatten(`${path}.${renderKey(key)}`, value[key], parts);
  }
}

function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (!isPlainRecord(value)) return value;
  const skipStack = isSerializedError(value);
  const out: LogRecord = {};
  for (const key of Object.keys(value)) {
    if (!(skipStack && key === 'stack')) out[key] = withoutStacks(value[key]);
  }
  return out;
}
