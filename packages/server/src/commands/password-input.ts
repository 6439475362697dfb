import { UsageError } from './usage.js';

/**
 * A new password: the whole of stdin when it is not a terminal (one trailing newline dropped),
 * else typed twice at a prompt that echoes nothing.
 */
export async function readNewPassword(usage: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    const password = text.replace(/\r?\n$/, '');
    // Nothing piped in (`< /dev/null`, a CI job without input) is a different mistake from a short password.
    if (password === '') throw new UsageError('no password on stdin: pipe one in, or run this in a terminal to be asked for it', usage);
    return password;
  }
  const first = await prompt('Password: ');
  const second = await prompt('Password again: ');
  if (first !== second) throw new UsageError('the two passwords differ', usage);
  return first;
}

function prompt(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled', ''));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
