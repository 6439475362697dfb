/** What an endpoint returns; an HTTP adapter copies it onto its reply. Header names are lower-case. */
export interface EndpointResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface TokenRequest {
  /** Request headers with lower-case names, as Node's `IncomingMessage#headers` has them. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body. */
  body: string;
  method?: string;
}

export interface ClientRecord {
  id: string;
  name: string;
  /** Salted keyed hash of the client secret (`v1$salt$mac`); null for a public client (RFC 6749 §2.1). */
  secretHash: string | null;
  grantTypes: string[];
  scopes: string[];
  redirectUris: string[];
  createdAt: Date;
}

export interface AccessTokenRecord {
  /** Keyed hash of the opaque token, or of a JWT's `jti`; the token itself is never stored. */
  hash: string;
  clientId: string;
  userId: string | null;
  scopes: string[];
  expiresAt: Date;
  createdAt: Date;
  /**
   * The grant family: every token descended from one authorization code (or password grant)
   * shares it, so a replayed code or refresh token revokes them all. Null for client_credentials.
   */
  grantId: string | null;
}

export interface AuthorizationCodeRecord {
  /** Keyed hash of the code. */
  hash: string;
  clientId: string;
  userId: string;
  /** The redirect_uri sent in the authorization request; null when it was omitted. */
  redirectUri: string | null;
  scopes: string[];
  /** RFC 7636 §4.2 code_challenge; null when the request had none. */
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  /** The family every token issued from this code belongs to. */
  grantId: string;
  expiresAt: Date;
  createdAt: Date;
  /** Set once by the atomic consume; non-null means the code was already redeemed. */
  consumedAt: Date | null;
  /** Set when a second redemption was attempted: the grant family is being revoked. */
  replayedAt: Date | null;
}

export interface RefreshTokenRecord {
  hash: string;
  clientId: string;
  userId: string | null;
  /** The scope of the grant; RFC 6749 §6 keeps it identical across rotations. */
  scopes: string[];
  grantId: string;
  expiresAt: Date;
  createdAt: Date;
  /** Set once by the atomic consume (rotation); non-null means a successor was issued. */
  rotatedAt: Date | null;
}

export interface UserRecord {
  id: string;
  /** Unique, compared exactly (normalise before storing if you need case-insensitivity). */
  username: string;
  /** `scrypt$v1$...`, see `PasswordHasher`. */
  passwordHash: string;
  createdAt: Date;
}

export interface ConsentRecord {
  userId: string;
  clientId: string;
  scopes: string[];
  updatedAt: Date;
}

export interface SigningKeyRecord {
  /** RFC 7517 `kid`. */
  kid: string;
  alg: 'ES256' | 'EdDSA';
  /** The public JWK as JSON. */
  publicJwk: string;
  /** The private JWK, encrypted (AES-256-GCM under a key derived from the server's secretKey). */
  privateJwkEncrypted: string;
  createdAt: Date;
  /** When it stopped signing; null for the current key. */
  retiredAt: Date | null;
  /** After this instant no token signed by it can be valid: dropped from the JWKS. */
  publishUntil: Date | null;
}

export interface TokenInfo {
  clientId: string;
  userId: string | null;
  scopes: string[];
  expiresAt: Date;
  hasScope(scope: string): boolean;
}

/** RFC 6749 §5.1 successful response body. */
export interface TokenResponseBody {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}
