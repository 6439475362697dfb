// Control characters (C0, DEL, C1), line and paragraph separators, and bidirectional overrides:
// printed raw they could break a terminal line, recolour it, or reorder what a reader sees.
const UNSAFE = /["\\\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A command-line argument as a message shows it: in double quotes, anything unsafe escaped. */
export function quoteArg(text: string): string {
  return `"${text.replace(UNSAFE, (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** An option name as typed (`--bogus`, `-x`), quoted only when it holds more than a plain name. */
export function showOption(rawName: string): string {
  return /^--?[A-Za-z0-9][A-Za-z0-9_-]*$/.test(rawName) ? rawName : quoteArg(rawName);
}
