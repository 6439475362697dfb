export { OAuth2Error, type OAuth2ErrorCode, type OAuth2ErrorOptions } from './errors.js';
export { OAuth2StoreError, type OAuth2StoreErrorCode } from './store-error.js';
export type {
  EndpointResponse,
  TokenRequest,
  ClientRecord,
  AccessTokenRecord,
  AuthorizationCodeRecord,
  RefreshTokenRecord,
  UserRecord,
  ConsentRecord,
  SigningKeyRecord,
  TokenInfo,
  TokenResponseBody,
} from './types.js';
export type {
  OAuth2Store,
  ClientStore,
  AccessTokenStore,
  AuthorizationCodeStore,
  RefreshTokenStore,
  UserStore,
  ConsentStore,
  SigningKeyStore,
  ConsumeResult,
} from './store.js';
export { MemoryStore } from './memory-store.js';
export { OAuth2Server, type OAuth2ServerOptions, type ClientCredentials } from './oauth2-server.js';
export { Client } from './client.js';
export type { RegisterClientInput } from './clients.js';
export type { User } from './users.js';
export type { AuthorizationDecision, AuthorizationParams, AuthorizationRequestSummary } from './authorize/decision.js';
export type { GenerateCodeInput } from './authorize/endpoint.js';
export type { BearerResult } from './endpoints/bearer.js';
export type { IntrospectionResult } from './endpoints/introspection.js';
export type { RevocationOutcome } from './endpoints/revocation.js';
export type { EndpointPaths } from './endpoints/metadata.js';
export type { GrantHandler, GrantContext } from './grants/types.js';
export type { ClientAuthMethod, ClientAuthInput, ClientAuthContext, AuthenticatedClient } from './client-auth/types.js';
export { claimedClientId } from './client-auth/claimed-client-id.js';
export type { AccessTokenFormat, AccessTokenClaims } from './token-formats/types.js';
export type { SigningKeyInfo, SigningAlg } from './token-formats/signing-keys.js';
export type { OAuth2Metrics } from './metrics.js';
export type { PurgeResult } from './purge.js';
export { PasswordHasher, type PasswordHasherOptions } from './password-hasher.js';
export { RateLimiter, MemoryRateLimitStore, type RateLimitStore, type RateLimitDecision, type RateLimiterOptions } from './rate-limit.js';
export { isScopeToken, parseScope, formatScope } from './scope.js';
export { DegradingRateLimitStore, type DegradingRateLimitStoreOptions } from './degrading-rate-limit-store.js';
export {
  withAccessTokenCache,
  type AccessTokenCache,
  type AccessTokenCacheOptions,
  type AccessTokenCacheOp,
  type AccessTokenInvalidation,
} from './access-token-cache.js';
