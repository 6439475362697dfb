// One log call must always be one line, and nothing a user controls may reach a terminal as a
// control sequence (log forging with "\n", or ESC / OSC / BEL sequences that retitle or repaint
// a terminal). The unsafe set: C0 controls, DEL, C1 controls, the Unicode line and paragraph
// separators that some viewers break lines on, and the bidirectional controls and BOM that make
// a line display other than it reads ("Trojan Source", CVE-2021-42574).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

// JSON.stringify already escapes every C0 control; the rest are legal raw JSON and are the
// only ones left to escape in a JSON line.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
const JSON_UNSAFE_ALL = new RegExp(JSON_UNSAFE.source, 'g');

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

/**
 * A batch of JSON lines as UTF-8, escaped like `escapeJsonLine`. Every character that needs it is
 * DEL (0x7f) or beyond ASCII, so a batch whose UTF-8 is as long as its text and holds no 0x7f
 * byte is written as encoded: a `memchr` instead of a regular expression over 64 KiB.
 */
export function encodeJsonBatch(batch: string): Buffer {
  const bytes = Buffer.from(batch, 'utf8');
  if (bytes.length === batch.length && !bytes.includes(0x7f)) return bytes;
  return Buffer.from(escapeJsonLine(batch), 'utf8');
}
