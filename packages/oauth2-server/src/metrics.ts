/**
 * An optional sink for token endpoint counters; `@tsforge/server` backs it with prom-client.
 * Called exactly once per token response: `tokenIssued` with the grant type, or `tokenError`
 * with the RFC 6749 §5.2 error code. Labels never carry client ids or tokens.
 */
export interface OAuth2Metrics { tokenIssued(grant: string): void; tokenError(error: string): void }
