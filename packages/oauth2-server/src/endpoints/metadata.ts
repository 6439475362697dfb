import { endpointUrl } from '../internal/issuer.js';

export interface EndpointPaths {
  authorization: string;
  token: string;
  revocation: string;
  introspection: string;
  jwks: string;
}

export interface MetadataInput {
  issuer: string;
  paths: EndpointPaths;
  grantTypes: string[];
  authMethods: string[];
  scopesSupported: string[];
  codeChallengeMethods: string[];
  /** Whether a JWKS is served (JWT access tokens). */
  jwks: boolean;
  serviceDocumentation?: string;
}

/** RFC 8414 §2 authorization server metadata, built from the registries. */
export function buildMetadata(input: MetadataInput): Record<string, unknown> {
  const url = (path: string): string => endpointUrl(input.issuer, path);
  // Revocation and introspection authenticate callers with the same methods as the token endpoint.
  const authMethods = input.authMethods;
  const metadata: Record<string, unknown> = {
    issuer: input.issuer,
    authorization_endpoint: url(input.paths.authorization),
    token_endpoint: url(input.paths.token),
    token_endpoint_auth_methods_supported: authMethods,
    grant_types_supported: input.grantTypes,
    scopes_supported: input.scopesSupported,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: input.codeChallengeMethods,
    revocation_endpoint: url(input.paths.revocation),
    revocation_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint: url(input.paths.introspection),
    introspection_endpoint_auth_methods_supported: authMethods.filter((m) => m !== 'none'),
    // RFC 9207 §3: the authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
  };
  if (input.jwks) metadata['jwks_uri'] = url(input.paths.jwks);
  if (input.serviceDocumentation !== undefined) metadata['service_documentation'] = input.serviceDocumentation;
  return metadata;
}
