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
