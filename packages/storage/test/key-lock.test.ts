import { describe, expect, it } from 'vitest';
import { KeyLock } from '../src/local/key-lock.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A task that records when it starts and ends, and finishes only when told to. */
function gatedTask(log: string[], name: string) {
  let finish!: (value: string) => void;
  let fail!: (err: Error) => void;
  const gate = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const task = async () => {
    log.push(`${name} start`);
    try {
      return await gate;
    } finally {
      log.push(`${name} end`);
    }
  };
  return { task, finish, fail };
}

describe('KeyLock', () => {
  it('runs tasks under one key one at a time, in the order they were queued', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gatedTask(log, name));
    const results = [lock.run('k', a!.task), lock.run('k', b!.task), lock.run('k', c!.task)];
    await tick();
    expect(log).toEqual(['a start']);
    a!.finish('A');
    await tick();
    expect(log).toEqual(['a start', 'a end', 'b start']);
    b!.finish('B');
    c!.finish('C');
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('never makes tasks under different keys wait for each other', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((name) => gatedTask(log, name));
    const results = [lock.run('one', a!.task), lock.run('two', b!.task)];
    await tick();
    expect(log).toEqual(['a start', 'b start']);
    expect(lock.size).toBe(2);
    b!.finish('B');
    a!.finish('A');
    expect(await Promise.all(results)).toEqual(['A', 'B']);
  });

  it('a task that throws rejects its own call and still lets the next one run', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((name) => gatedTask(log, name));
    const first = lock.run('k', a!.task);
    const second = lock.run('k', b!.task);
    a!.fail(new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    b!.finish('B');
    expect(await second).toBe('B');
  });

  it('forgets a key once its last task settles, so it does not grow with the keys it has seen', async () => {
    const lock = new KeyLock();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => lock.run(`key-${i % 10}`, async () => tick())));
    expect(lock.size).toBe(0);
    await lock.run('k', async () => {
      expect(lock.size).toBe(1);
    });
    await expect(lock.run('k', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(lock.size).toBe(0);
  });
});
