// RFC 8252 §7.3: "The authorization server MUST allow any port to be specified at the time of
// the request for loopback IP redirect URIs". Only the literal IPs: "localhost" is NOT
// RECOMMENDED there and gets exact matching like every other host.
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/;

/**
 * RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: redirect URIs are compared as exact strings, with no
 * normalisation (case, dot segments and query all count), except the port of a loopback URI.
 */
export function redirectUriMatches(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  const p = loopback(presented);
  if (!p) return false;
  return registered.some((r) => {
    const m = loopback(r);
    return m !== null && m[1] === p[1] && (m[3] ?? '') === (p[3] ?? '');
  });
}

/** A loopback URI's parts, or null; a port outside 0..65535 (RFC 3986 §3.2.3 / URL) is no URI at all. */
function loopback(uri: string): RegExpExecArray | null {
  const m = LOOPBACK.exec(uri);
  if (m === null || (m[2] !== undefined && Number(m[2]) > 65535) || !URL.canParse(uri)) return null;
  return m;
}

/** Registration rule: absolute, no fragment (RFC 6749 §3.1.2), https or a loopback/localhost http URI (RFC 9700 §2.6, RFC 8252 §7.3). */
export function isAcceptableRedirectUri(uri: string): boolean {
  if (!URL.canParse(uri) || uri.includes('#')) return false;
  const url = new URL(uri);
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:') return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  // RFC 8252 §7.1 private-use URI schemes of native apps: reverse domain names, e.g. com.example.app:/cb.
  return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol) && !url.protocol.startsWith('javascript');
}
