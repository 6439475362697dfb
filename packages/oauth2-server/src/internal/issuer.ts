/**
 * RFC 8414 §2: the issuer is a URL "that uses the https scheme and has no query or fragment
 * components". Plain http is accepted too, for development behind localhost.
 */
export function validateIssuer(issuer: unknown): string {
  if (typeof issuer !== 'string' || issuer === '') throw new TypeError('OAuth2Server: issuer must be a non-empty URL string');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError(`OAuth2Server: issuer is not a valid URL: ${issuer}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('OAuth2Server: issuer must use the https (or http) scheme');
  }
  if (issuer.includes('?') || issuer.includes('#')) {
    throw new TypeError('OAuth2Server: issuer must not have a query or fragment component (RFC 8414 §2)');
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('OAuth2Server: issuer must not contain credentials');
  }
  return issuer;
}

/** Joins the issuer and an endpoint path without doubling the slash. */
export function endpointUrl(issuer: string, path: string): string {
  return issuer.replace(/\/+$/, '') + path;
}

/** Reads a string or function issuer, validating each distinct value once. */
export function issuerReader(issuer: string | (() => string)): () => string {
  if (typeof issuer === 'string') {
    const fixed = validateIssuer(issuer);
    return () => fixed;
  }
  if (typeof issuer !== 'function') throw new TypeError('OAuth2Server: issuer must be a string or a function');
  let last: string | undefined;
  return () => {
    const value = issuer();
    if (value !== last) last = validateIssuer(value);
    return value;
  };
}
