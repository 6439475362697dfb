/** What an access token says, whatever its format. */
export interface AccessTokenClaims {
  clientId: string;
  userId: string | null;
  scopes: string[];
  issuedAt: Date;
  expiresAt: Date;
  /** Random, unique per token: the JWT `jti`, and the revocation handle of every format. */
  jti: string;
}

/**
 * An access token format, registered by name (`opaque`, `jwt`). Every format's tokens are
 * also recorded in the store under the keyed hash of `key`, which is what makes revocation,
 * introspection and grant-family revocation work the same for all formats.
 */
export interface AccessTokenFormat {
  readonly name: string;
  mint(claims: AccessTokenClaims): Promise<{ token: string; key: string }>;
  /**
   * The storage key of a presented token, or null when it cannot be one of ours (wrong shape,
   * bad signature, expired JWT). Must not throw for any string.
   */
  keyOf(token: string): Promise<string | null>;
}
