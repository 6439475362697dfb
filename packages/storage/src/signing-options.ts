import { parseContentType } from './content-type.js';

// What `Disk` checks in its URL options (the constructor's base URLs, what a signed URL pins):
// programmer misuse, so a TypeError.

export function checkType(value: unknown, name: string): string {
  const type = typeof value === 'string' ? parseContentType(value) : undefined;
  if (type === undefined) throw new TypeError(`${name} must be a media type like "text/plain"`);
  return type;
}

export function checkLength(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new TypeError('contentLength must be a whole number of bytes >= 0');
  return value;
}

export function checkDisposition(value: unknown): string {
  if (typeof value !== 'string' || !/^[\x20-\x7e]{1,1024}$/.test(value)) {
    throw new TypeError('responseContentDisposition must be 1-1024 printable ASCII characters (use filename*= for others)');
  }
  return value;
}

export function checkBase(name: string, base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.search !== '' || url.hash !== '' || base.includes('?') || base.includes('#')) {
    throw new TypeError(`${name} must not have a query or fragment`);
  }
  return base.replace(/\/+$/, '');
}
