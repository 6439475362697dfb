import { StorageError } from './errors.js';

export const MAX_KEY_BYTES = 1024;

// C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F): never part of a file name we accept.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// With the `u` flag a well-formed surrogate pair is one code point, so this only matches lone
// surrogates, which have no UTF-8 encoding.
const LONE_SURROGATE = /\p{Cs}/u;
// Unicode noncharacters (U+FDD0-U+FDEF and the last two code points of every plane, U+FFFE,
// U+FFFF, U+1FFFE ... U+10FFFF) are for a program's internal use, never for interchange: S3
// stores such a key but then fails every listing that covers it.
const NONCHARACTER = /\p{Noncharacter_Code_Point}/u;

/**
 * The one canonical spelling of a key: `/`-separated segments, Unicode NFC, at most 1024 UTF-8
 * bytes. Anything that could name a different place on a file system (`..`, a leading `/`, a
 * backslash) is `E_PATH_TRAVERSAL`; anything merely malformed is `E_INVALID_KEY`.
 */
export function normalizeKey(key: string): string {
  if (typeof key !== 'string') throw new TypeError('key must be a string');
  if (key === '') throw invalid('key must not be empty');
  checkCharacters(key);
  if (key.startsWith('/')) throw traversal('key must be relative (no leading "/")');
  const nfc = key.normalize('NFC');
  const segments = nfc.split('/');
  for (const segment of segments) {
    if (segment === '..') throw traversal('key must not contain ".." segments');
  }
  for (const segment of segments) {
    if (segment === '') throw invalid('key must not contain empty segments ("a//b", a trailing "/")');
    if (segment === '.') throw invalid('key must not contain "." segments');
  }
  if (Buffer.byteLength(nfc, 'utf8') > MAX_KEY_BYTES) {
    throw invalid(`key must be at most ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
  return nfc;
}

/**
 * A listing prefix is a plain string prefix on keys ('ph' matches 'photos/a.jpg'), so its last
 * segment may be partial or empty ('photos/'). Every complete segment before the last `/` must
 * be a valid key segment: drivers use that part to pick a directory.
 */
export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
  if (prefix === '') return '';
  checkCharacters(prefix);
  if (prefix.startsWith('/')) throw traversal('prefix must be relative (no leading "/")');
  const nfc = prefix.normalize('NFC');
  if (Buffer.byteLength(nfc, 'utf8') > MAX_KEY_BYTES) {
    throw invalid(`prefix must be at most ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
  const slash = nfc.lastIndexOf('/');
  if (slash !== -1) normalizeKey(nfc.slice(0, slash));
  return nfc;
}

/** A key as a URL path: each segment percent-encoded per RFC 3986 §2.1 (only unreserved characters stay), `/` kept. */
export function encodeKeyPath(key: string): string {
  return normalizeKey(key).split('/').map(encodeSegment).join('/');
}

function encodeSegment(segment: string): string {
  // encodeURIComponent leaves !'()* alone; RFC 3986 §2.2 lists them as sub-delims, so encode them too.
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function checkCharacters(value: string): void {
  if (value.includes('\\')) throw traversal('backslash is not allowed (it is a path separator on Windows)');
  if (CONTROL.test(value)) throw invalid('control characters are not allowed');
  if (LONE_SURROGATE.test(value)) throw invalid('must be well-formed Unicode');
  if (NONCHARACTER.test(value)) throw invalid('Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF, ...) are not allowed');
}

/**
 * A listing cursor: the last key of the page before, or any string keys are compared against
 * (UTF-8 byte order). It never names a file, so only its characters and length are checked.
 */
export function normalizeCursor(cursor: string): string {
  if (typeof cursor !== 'string') throw new TypeError('cursor must be a string');
  if (cursor === '') throw new StorageError('E_INVALID_KEY', 'cursor must not be empty');
  try {
    checkCharacters(cursor);
  } catch (err) {
    throw new StorageError('E_INVALID_KEY', `cursor: ${(err as Error).message}`);
  }
  const nfc = cursor.normalize('NFC');
  if (Buffer.byteLength(nfc, 'utf8') > MAX_KEY_BYTES) throw invalid(`cursor must be at most ${MAX_KEY_BYTES} UTF-8 bytes`);
  return nfc;
}

function invalid(message: string): StorageError {
  return new StorageError('E_INVALID_KEY', message);
}

function traversal(message: string): StorageError {
  return new StorageError('E_PATH_TRAVERSAL', message);
}
