import { OAuth2Error } from './errors.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )  (NQCHAR without space)
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function isScopeToken(s: string): boolean {
  return SCOPE_TOKEN.test(s);
}

/**
 * Parses a `scope` parameter: `scope-token *( SP scope-token )` (RFC 6749 §3.3), strictly —
 * no leading, trailing or doubled spaces. Duplicates collapse; order is kept.
 */
export function parseScope(value: string): string[] {
  const tokens = value.split(' ');
  if (!tokens.every(isScopeToken)) {
    throw new OAuth2Error('invalid_scope', 'the scope parameter is malformed (RFC 6749 §3.3)');
  }
  return [...new Set(tokens)];
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/**
 * The scopes to grant (RFC 6749 §3.3): the requested ones, each allowed for the client and
 * supported by the server; when `scope` is omitted, the client's registered scopes
 * that the server still supports. An empty result is refused rather than granted.
 */
export function resolveScopes(
  requested: string | undefined,
  clientScopes: readonly string[],
  supported: ReadonlySet<string>,
): string[] {
  if (requested === undefined) {
    const defaults = clientScopes.filter((s) => supported.has(s));
    if (defaults.length === 0) {
      throw new OAuth2Error('invalid_scope', 'no scope was requested and the client has no default scope');
    }
    return defaults;
  }
  const scopes = parseScope(requested);
  const allowed = new Set(clientScopes);
  for (const s of scopes) {
    if (!supported.has(s) || !allowed.has(s)) {
      throw new OAuth2Error('invalid_scope', 'the requested scope is invalid, unknown, or exceeds what the client may request');
    }
  }
  return scopes;
}
