import { endpointUrl } from '../internal/issuer.js';

export interface MetadataInput {
  issuer: string;
  tokenEndpointPath: string;
  grantTypes: string[];
  authMethods: string[];
  scopesSupported: string[];
  serviceDocumentation?: string;
}

/** RFC 8414 §2 authorization server metadata, built from the registries. */
export function buildMetadata(input: MetadataInput): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    issuer: input.issuer,
    token_endpoint: endpointUrl(input.issuer, input.tokenEndpointPath),
    token_endpoint_auth_methods_supported: input.authMethods,
    grant_types_supported: input.grantTypes,
    scopes_supported: input.scopesSupported,
    // RFC 8414 §2: REQUIRED. No authorization endpoint exists yet, so no response type is
    // supported; the honest value is the empty list.
    response_types_supported: [],
  };
  if (input.serviceDocumentation !== undefined) metadata['service_documentation'] = input.serviceDocumentation;
  return metadata;
}
