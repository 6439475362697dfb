/** Form or query parameters: a repeated name gives an array (the OAuth core rejects repeats). */
export type FormParams = Record<string, string | string[] | undefined>;

/** An application/x-www-form-urlencoded body, keeping every copy of a repeated name. */
export function parseForm(body: string): FormParams {
  const out: FormParams = Object.create(null) as FormParams;
  for (const [name, value] of new URLSearchParams(body)) add(out, name, value);
  return out;
}

function add(out: FormParams, name: string, value: string): void {
  const prev = out[name];
  out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
}

/** The single value of `name`, or undefined when absent or repeated. */
export function one(params: FormParams, name: string): string | undefined {
  const v = params[name];
  return typeof v === 'string' ? v : undefined;
}

/** The authorization request carried in `p.`-prefixed hidden fields. */
export function carriedParams(form: FormParams): FormParams {
  const out: FormParams = Object.create(null) as FormParams;
  for (const [name, value] of Object.entries(form)) if (name.startsWith('p.')) out[name.slice(2)] = value;
  return out;
}

/** The query string that repeats the authorization request (for the 303 back to GET). */
export function toQuery(params: FormParams): string {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) q.append(name, v);
  }
  return q.toString();
}

/**
 * The canonical text of an authorization request, for binding a form to it: every parameter
 * (client_id, redirect_uri, scope, state, the PKCE challenge, anything else) sorted by name, line
 * breaks normalised (a browser submits a hidden field's LF as CRLF). Any other value → other text.
 */
export function requestBinding(params: FormParams): string {
  const lines = (v: string): string => v.replace(/\r\n?/g, '\n');
  const entries = Object.entries(params)
    .map(([name, value]): [string, string[]] => [name, (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(lines)])
    .filter(([, values]) => values.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}
