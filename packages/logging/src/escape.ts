// One log call must always be one line, and nothing a user controls may reach a terminal as a
// control sequence (log forging with "\n", or ESC / OSC / BEL sequences that retitle or repaint
// a terminal). The unsafe set: C0 controls, DEL, C1 controls, and the Unicode line and
// paragraph separators that some viewers break lines on.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const UNSAFE_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

// JSON.stringify already escapes every C0 control; DEL, C1 and U+2028/2029 are legal raw JSON
// and are the only ones left to escape in a JSON line.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029]/;
const JSON_UNSAFE_ALL = /[\u007f-\u009f\u2028\u2029]/g;

function escapeChar(char: string): string {
  switch (char) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return unicodeEscape(char);
  }
}

function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Text for a human-readable line: controls become visible escapes (`\n`, `\u001b`). */
export function escapeControlChars(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

/**
 * A serialized JSON line, newline-terminated. Escapes within it are equivalent JSON: the
 * characters replaced can only occur inside string literals.
 */
export function escapeJsonLine(line: string): string {
  return JSON_UNSAFE.test(line) ? line.replace(JSON_UNSAFE_ALL, unicodeEscape) : line;
}
