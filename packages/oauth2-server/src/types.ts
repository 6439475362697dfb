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
  /** Salted keyed hash of the client secret (`v1$salt$mac`); null for a public client. */
  secretHash: string | null;
  grantTypes: string[];
  scopes: string[];
  redirectUris: string[];
  createdAt: Date;
}

export interface AccessTokenRecord {
  /** Keyed hash of the token; the token itself is never stored. */
  hash: string;
  clientId: string;
  userId: string | null;
  scopes: string[];
  expiresAt: Date;
  createdAt: Date;
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
