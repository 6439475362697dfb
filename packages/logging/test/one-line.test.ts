import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import type { LogFormat } from '../src/levels.js';
import { RAW_CONTROL, capture } from './helpers.js';

const FORGED = 'login failed for eve\n2030-01-01T00:00:00Z INFO admin login ok';
const TERMINAL = 'title \u001b]0;x\u0007 done';
const EVERY_CONTROL = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join('') +
  '\u007f' + Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)).join('') + '\u2028\u2029';

const FORMATS: LogFormat[] = ['json', 'pretty', 'compact'];

function linesFor(format: LogFormat, write: (logger: ReturnType<typeof createLogger>) => void, isTTY = false) {
  const out = capture({ isTTY });
  write(createLogger({ destination: out.stream, format }));
  return out;
}

describe.each(FORMATS)('%s format: one log call is exactly one line', (format) => {
  it('a forged log line in the message stays on the same line, escaped as \\n', () => {
    const out = linesFor(format, (logger) => logger.warn(FORGED));
    expect(out.lines()).toHaveLength(1);
    expect(out.text()).toContain('login failed for eve\\n2030-01-01T00:00:00Z INFO admin login ok');
  });

  it('a terminal escape sequence (ESC ] ... BEL) is written as visible \\u001b ... \\u0007', () => {
    const out = linesFor(format, (logger) => logger.info(TERMINAL));
    expect(out.lines()).toHaveLength(1);
    expect(out.text()).not.toMatch(RAW_CONTROL);
    expect(out.text()).toContain('\\u001b]0;x\\u0007');
  });

  it('every C0 and C1 control, DEL and U+2028/2029, in the message, field values, keys and errors', () => {
    const out = linesFor(format, (logger) => {
      logger.error({ [`k${EVERY_CONTROL}`]: EVERY_CONTROL, nested: { v: EVERY_CONTROL }, list: [EVERY_CONTROL] }, EVERY_CONTROL);
      logger.error(new Error(FORGED, { cause: new Error(TERMINAL) }));
      logger.child({ bound: FORGED }).info({ n: 1 }, TERMINAL);
    });
    expect(out.lines()).toHaveLength(3);
    expect(out.text()).not.toMatch(RAW_CONTROL);
    expect(out.text()).not.toMatch(/[\u2028\u2029]/);
  });

  it('bidirectional controls and the BOM are escaped, so a line reads as it displays (CVE-2021-42574)', () => {
    const BIDI = 'key \u202Etxt.exe\u202C \u2066x\u2069 \u200F\u061C\uFEFF';
    const out = linesFor(format, (logger) => logger.info({ key: BIDI }, BIDI));
    expect(out.lines()).toHaveLength(1);
    expect(out.text()).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/);
    expect(out.text()).toContain('\\u202e');
  });

  it('a message that is not a string still gives one line', () => {
    const out = linesFor(format, (logger) => logger.info({ msg: { nested: FORGED } } as object));
    expect(out.lines()).toHaveLength(1);
    expect(out.text()).not.toMatch(RAW_CONTROL);
  });
});

describe('JSON format escapes stay valid JSON', () => {
  it('parses back to the exact original strings', () => {
    const out = linesFor('json', (logger) => logger.info({ value: EVERY_CONTROL }, FORGED + TERMINAL + '\u202E'));
    const [record] = out.records();
    expect(record?.msg).toBe(FORGED + TERMINAL + '\u202E');
    expect(record?.value).toBe(EVERY_CONTROL);
  });
});

describe('colour', () => {
  it('pretty colours only when the destination is a TTY, and only with its own escapes', () => {
    const plain = linesFor('pretty', (logger) => logger.error(TERMINAL));
    expect(plain.text()).not.toContain('\u001b');

    const tty = linesFor('pretty', (logger) => logger.error(TERMINAL), true);
    const sequences = tty.text().match(/\u001b[^m]*m/g) ?? [];
    expect(sequences.length).toBeGreaterThan(0);
    // Every raw ESC is one of ours: a CSI SGR colour code.
    expect(tty.text().split('\u001b').length - 1).toBe(sequences.length);
    for (const seq of sequences) expect(seq).toMatch(/^\u001b\[[0-9;]+m$/);
    expect(tty.text()).toContain('\\u001b]0;x\\u0007');
  });

  it('colorize overrides the TTY check either way', () => {
    const forced = capture();
    createLogger({ destination: forced.stream, format: 'pretty', colorize: true }).info('x');
    expect(forced.text()).toContain('\u001b[32mINFO ');

    const off = capture({ isTTY: true });
    createLogger({ destination: off.stream, format: 'pretty', colorize: false }).info('x');
    expect(off.text()).not.toContain('\u001b');
  });

  it('compact never colours', () => {
    const out = linesFor('compact', (logger) => logger.error('x'), true);
    expect(out.text()).not.toContain('\u001b');
  });
});
