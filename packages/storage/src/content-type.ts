export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

// RFC 9110 §8.3.1: media-type = type "/" subtype parameters; token = 1*tchar (§5.6.2),
// parameters = *( OWS ";" OWS [ parameter ] ), parameter value = token / quoted-string (§5.6.4).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\t \\x21-\\x7e])*"';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|${QUOTED}))?)*$`);
const MAX_LENGTH = 255;

/**
 * Extensions whose type is safe to guess. Types a browser would execute (HTML, SVG, JavaScript,
 * XML) are deliberately absent: a file uploaded as `x.html` without a declared type is stored as
 * `application/octet-stream`, not served back as a page.
 */
const BY_EXTENSION: ReadonlyMap<string, string> = new Map(Object.entries({
  avif: 'image/avif',
  bmp: 'image/bmp',
  csv: 'text/csv',
  gif: 'image/gif',
  gz: 'application/gzip',
  ico: 'image/vnd.microsoft.icon',
  jpeg: 'image/jpeg',
  jpg: 'image/jpeg',
  json: 'application/json',
  m4a: 'audio/mp4',
  md: 'text/markdown',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  ogg: 'audio/ogg',
  pdf: 'application/pdf',
  png: 'image/png',
  tar: 'application/x-tar',
  txt: 'text/plain',
  wav: 'audio/wav',
  webm: 'video/webm',
  webp: 'image/webp',
  zip: 'application/zip',
}));

/** The declared type if it is a well-formed media type (RFC 9110 §8.3.1), else undefined. */
export function parseContentType(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_LENGTH || !MEDIA_TYPE.test(trimmed)) return undefined;
  return trimmed;
}

/** A conservative guess from the key's extension, `application/octet-stream` when unsure. */
export function contentTypeFor(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return DEFAULT_CONTENT_TYPE;
  return BY_EXTENSION.get(name.slice(dot + 1).toLowerCase()) ?? DEFAULT_CONTENT_TYPE;
}

/** What `Disk.put` stores: a declared, well-formed type wins; otherwise the guess from the key. */
export function resolveContentType(key: string, declared: string | undefined): string {
  return parseContentType(declared) ?? contentTypeFor(key);
}
