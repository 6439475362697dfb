import { escapeControlChars } from '../escape.js';

export type LogRecord = Record<string, unknown>;

// Fields every line has; the formats print them in fixed places instead of as key=value.
export const STANDARD_KEYS = new Set(['level', 'time', 'msg']);

const LEVEL_BY_NUMBER: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export function levelName(level: unknown): string {
  if (typeof level === 'number') return LEVEL_BY_NUMBER[level] ?? String(level);
  return typeof level === 'string' ? escapeControlChars(level) : 'log';
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `HH:MM:SS.mmm` in the process's local time zone: these formats are read by a person. */
export function clockTime(time: unknown): string {
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) return escapeControlChars(String(time ?? '--:--:--.---'));
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

const BARE = /^[^\s"'=\\]+$/;

/** A string stays bare when it is unambiguous in `key=value` form, otherwise it is quoted. */
export function renderString(text: string): string {
  return BARE.test(text) ? escapeControlChars(text) : escapeControlChars(JSON.stringify(text));
}

export function renderValue(value: unknown): string {
  if (typeof value === 'string') return renderString(value);
  if (value === null || typeof value !== 'object') return String(value);
  return escapeControlChars(JSON.stringify(value));
}

export function renderKey(key: string): string {
  return renderString(key);
}

export function renderMessage(msg: unknown): string {
  if (msg === undefined) return '';
  return typeof msg === 'string' ? escapeControlChars(msg) : renderValue(msg);
}

export function isPlainRecord(value: unknown): value is LogRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shape `serializeError` produces, read back from a JSON line. */
export function isSerializedError(value: unknown): value is LogRecord & { type: string; message: string } {
  return isPlainRecord(value) && typeof value.type === 'string' && typeof value.message === 'string';
}
