import { describe, expect, it } from 'vitest';
import { RequestId } from '../src/request-id.js';

describe('RequestId', () => {
  it('generates valid, URL-safe ids of 128 random bits, all distinct', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = RequestId.generate();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });

  it.each([
    ['a', true],
    ['0af7651916cd43dd8448eb211c80319c', true],
    ['Root=1-67891233-abcdef012345678912345678', false],
    ['1-67891233:abc.def_ghi-jkl', true],
    ['x'.repeat(128), true],
    ['x'.repeat(129), false],
    ['', false],
    ['has space', false],
    ['line\nbreak', false],
    ['emoji🙂', false],
    ['<script>', false],
    [42, false],
    [undefined, false],
    [['abc'], false],
  ])('isValid(%j) is %s', (value, valid) => {
    expect(RequestId.isValid(value)).toBe(valid);
  });

  it('from() keeps a valid header value', () => {
    expect(RequestId.from('abc-123')).toBe('abc-123');
  });

  it('from() takes the first value of a repeated header', () => {
    expect(RequestId.from(['first', 'second'])).toBe('first');
  });

  it.each([[undefined], [''], ['bad id\n'], ['x'.repeat(200)], [['bad id', 'good']], [[]], [{}]])(
    'from(%j) generates a fresh id',
    (header) => {
      const id = RequestId.from(header);
      expect(RequestId.isValid(id)).toBe(true);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    },
  );
});
