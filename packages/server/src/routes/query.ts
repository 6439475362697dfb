/** A query parameter that may appear at most once; a repeated one is the client's error. */
export function singleQueryValue(query: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new QueryError(`query parameter "${name}" must not be repeated`);
  return value;
}

export class QueryError extends Error {
  readonly statusCode = 400;
  readonly code = 'E_QUERY';
  readonly expose = true;
}
