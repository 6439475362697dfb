import { OAuth2Error } from '../errors.js';

/**
 * `application/x-www-form-urlencoded` decoding of one name or value (WHATWG URL §5.1,
 * referenced by RFC 6749 Appendix B): '+' is a space, then %XX escapes of UTF-8.
 * Returns null for malformed escapes or invalid UTF-8 instead of guessing.
 */
export function formDecode(s: string): string | null {
  // Most names and values (grant_type=client_credentials, tokens) have nothing to decode.
  if (s.indexOf('%') === -1 && s.indexOf('+') === -1) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** Request parameters after the RFC 6749 §3.1 rules: no repeats, empty means omitted. */
export class FormParams {
  #values: Map<string, string>;

  constructor(values: Map<string, string>) {
    this.#values = values;
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** From already-separated values (the programmatic API); undefined and '' mean omitted. */
  static from(values: Record<string, string | undefined>): FormParams {
    const map = new Map<string, string>();
    for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && v !== '') map.set(k, v);
    return new FormParams(map);
  }

  static parse(body: string): FormParams {
    const values = new Map<string, string>();
    if (body === '') return new FormParams(values);
    for (const pair of body.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = formDecode(eq === -1 ? pair : pair.slice(0, eq));
      const value = formDecode(eq === -1 ? '' : pair.slice(eq + 1));
      if (name === null || value === null) {
        throw new OAuth2Error('invalid_request', 'the request body is not valid application/x-www-form-urlencoded');
      }
      // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were
      // omitted from the request."
      if (value === '') continue;
      // RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than once."
      if (values.has(name)) {
        throw new OAuth2Error('invalid_request', `the "${safeName(name)}" parameter is included more than once`);
      }
      values.set(name, value);
    }
    return new FormParams(values);
  }
}

/** Parameter names are echoed in descriptions; keep them short and printable. */
function safeName(name: string): string {
  const printable = name.replace(/[^\x21-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}
