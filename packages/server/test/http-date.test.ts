import { describe, expect, it } from 'vitest';
import { parseHttpDate } from '../src/routes/http-date.js';

describe('RFC 9110 §5.6.7 HTTP-date: all three formats, nothing else', () => {
  const SECOND = Date.UTC(1994, 10, 6, 8, 49, 37);
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['obsolete RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['ANSI C asctime (GMT, a space-padded day)', 'Sun Nov  6 08:49:37 1994'],
  ])('%s names the same second', (_name, value) => {
    expect(parseHttpDate(value)).toBe(SECOND);
  });

  it.each([
    'yesterday', '1994-11-06T08:49:37Z', 'Sun, 06 Nov 1994 08:49:37 UTC', 'Sun, 31 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 24:00:00 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT', '',
  ])('%j is not an HTTP-date (the header is then ignored)', (value) => {
    expect(parseHttpDate(value)).toBeUndefined();
  });

  it('a header sent twice is not one date', () => {
    expect(parseHttpDate(['Sun, 06 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT'])).toBeUndefined();
  });
});
