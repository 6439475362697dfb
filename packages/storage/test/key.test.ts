import { describe, expect, it } from 'vitest';
import { encodeKeyPath, normalizeKey, normalizePrefix } from '../src/key.js';
import { expectCode } from './helpers.js';

describe('normalizeKey', () => {
  it.each([
    ['../../etc/x', 'E_PATH_TRAVERSAL'],
    ['a/../../x', 'E_PATH_TRAVERSAL'],
    ['..', 'E_PATH_TRAVERSAL'],
    ['a/..', 'E_PATH_TRAVERSAL'],
    ['..\\x', 'E_PATH_TRAVERSAL'],
    ['a\\b', 'E_PATH_TRAVERSAL'],
    ['/etc/passwd', 'E_PATH_TRAVERSAL'],
    ['/', 'E_PATH_TRAVERSAL'],
    ['a\0b', 'E_INVALID_KEY'],
    ['a//b', 'E_INVALID_KEY'],
    ['a/./b', 'E_INVALID_KEY'],
    ['.', 'E_INVALID_KEY'],
    ['', 'E_INVALID_KEY'],
    ['a/', 'E_INVALID_KEY'],
    ['a\nb', 'E_INVALID_KEY'],
    ['a\rb', 'E_INVALID_KEY'],
    ['a\tb', 'E_INVALID_KEY'],
    ['a\x1bb', 'E_INVALID_KEY'],
    ['a\x7fb', 'E_INVALID_KEY'],
    ['a\u0085b', 'E_INVALID_KEY'],
    ['a\u009fb', 'E_INVALID_KEY'],
    ['lone\ud800surrogate', 'E_INVALID_KEY'],
    ['non\ufffechar', 'E_INVALID_KEY'],
    ['non\uffffchar', 'E_INVALID_KEY'],
    ['non\ufdd0char', 'E_INVALID_KEY'],
    ['non\ufdefchar', 'E_INVALID_KEY'],
    ['plane1\u{1fffe}', 'E_INVALID_KEY'],
    ['plane16\u{10ffff}', 'E_INVALID_KEY'],
    ['x'.repeat(1025), 'E_INVALID_KEY'],
    ['é'.repeat(513), 'E_INVALID_KEY'],
  ] as const)('rejects %j with %s', async (key, code) => {
    await expectCode(() => normalizeKey(key), code);
  });

  it.each(['résumé.pdf', '日本.txt', 'a+b.txt', 'a b.txt', 'file#1.txt', 'a?expires=9999999999&x=.txt', 'nested/folder/photo.jpg', "it's(1)*!.txt", '100%.txt', '...', '.hidden', 'a..b', '😀.png'])(
    'keeps %j as it is',
    (key) => {
      expect(normalizeKey(key)).toBe(key);
    },
  );

  it('accepts exactly 1024 UTF-8 bytes, counting bytes not characters', () => {
    expect(normalizeKey('x'.repeat(1024))).toHaveLength(1024);
    expect(normalizeKey('é'.repeat(512))).toHaveLength(512);
  });

  it('normalizes to NFC, so a decomposed "é" names the same key', () => {
    const decomposed = 're\u0301sume\u0301.pdf';
    expect(normalizeKey(decomposed)).toBe('résumé.pdf');
    expect(normalizeKey(decomposed)).toBe(normalizeKey('résumé.pdf'));
  });

  it('throws TypeError for a non-string (programmer misuse)', () => {
    expect(() => normalizeKey(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('normalizePrefix', () => {
  it('allows a partial last segment and a trailing slash', () => {
    expect(normalizePrefix('')).toBe('');
    expect(normalizePrefix('ph')).toBe('ph');
    expect(normalizePrefix('photos/')).toBe('photos/');
    expect(normalizePrefix('photos/2024/im')).toBe('photos/2024/im');
    expect(normalizePrefix('a/.hid')).toBe('a/.hid');
  });

  it.each([
    ['../', 'E_PATH_TRAVERSAL'],
    ['a/../b/', 'E_PATH_TRAVERSAL'],
    ['/etc/', 'E_PATH_TRAVERSAL'],
    ['a\\', 'E_PATH_TRAVERSAL'],
    ['a//', 'E_INVALID_KEY'],
    ['./a', 'E_INVALID_KEY'],
    ['a\0', 'E_INVALID_KEY'],
  ] as const)('rejects %j with %s, since its directory part would leave the key space', async (prefix, code) => {
    await expectCode(() => normalizePrefix(prefix), code);
  });
});

describe('encodeKeyPath (RFC 3986 §2.1 percent-encoding per segment)', () => {
  it.each([
    ['a b.txt', 'a%20b.txt'],
    ['file#1.txt', 'file%231.txt'],
    ['a?expires=9999999999&x=.txt', 'a%3Fexpires%3D9999999999%26x%3D.txt'],
    ['a+b.txt', 'a%2Bb.txt'],
    ['100%.txt', '100%25.txt'],
    ["it's(1)*!.txt", 'it%27s%281%29%2A%21.txt'],
    ['nested/folder/photo.jpg', 'nested/folder/photo.jpg'],
    ['résumé.pdf', 'r%C3%A9sum%C3%A9.pdf'],
    ['日本.txt', '%E6%97%A5%E6%9C%AC.txt'],
    ['a~b-c_d.e', 'a~b-c_d.e'],
  ])('encodes %j as %s', (key, path) => {
    expect(encodeKeyPath(key)).toBe(path);
    expect(path.split('/').map(decodeURIComponent).join('/')).toBe(key);
  });

  it('refuses to encode a key that is not valid', async () => {
    await expectCode(() => encodeKeyPath('../x'), 'E_PATH_TRAVERSAL');
  });
});
