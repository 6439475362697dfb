import { KeyKind, REDACTED, type KeyClassifier } from './redact-keys.js';

function decodeName(name: string): string {
  if (!name.includes('%') && !name.includes('+')) return name;
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * The URL with the values of secret query parameters censored (`?signature=[REDACTED]&x=1`);
 * the same string when there are none.
 */
export function redactUrlQuery(url: string, classify: KeyClassifier): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const hashStart = url.indexOf('#', queryStart);
  const queryEnd = hashStart === -1 ? url.length : hashStart;
  let out = '';
  let copiedUpTo = 0;
  // Scan `name=value` pairs in place: cheaper than split() for the common case of no secret.
  for (let start = queryStart + 1; start < queryEnd; ) {
    let end = url.indexOf('&', start);
    if (end === -1 || end > queryEnd) end = queryEnd;
    const eq = url.indexOf('=', start);
    if (eq !== -1 && eq < end && classify(decodeName(url.slice(start, eq))) === KeyKind.Secret) {
      out += `${url.slice(copiedUpTo, eq + 1)}${REDACTED}`;
      copiedUpTo = end;
    }
    start = end + 1;
  }
  return copiedUpTo === 0 ? url : out + url.slice(copiedUpTo);
}
