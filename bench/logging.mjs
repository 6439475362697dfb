// npm run bench, part (1): log lines per second, 1M lines with 3 fields to /dev/null, through
// @tsforge/logging (JSON, inside a request context, so every line carries request_id, trace_id
// and span_id) beside raw pino (synchronous and asynchronous sonic-boom), winston, and a bare
// JSON.stringify into a buffered fs stream (the practical ceiling). Each contender runs in its
// own process, three times, alternating the order; the best of the three counts. Ratios are against pino-sync.
// Then a loss check: each logger writes 100k lines to a real file and calls process.exit(0) at
// once; the lines that reached the file are counted.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LINES = Number(process.env.BENCH_LOG_LINES ?? 1_000_000);
const EXIT_LINES = 100_000;
const SELF = fileURLToPath(import.meta.url);

const contenders = {
  async tsforge(dest) {
    const { initLogging } = await import('../packages/logging/dist/index.js');
    const logging = initLogging({ destination: openSync(dest, 'a'), format: 'json', base: { service: 'bench' } });
    const log = logging.logger;
    return {
      run: (n) => logging.runRequest({ 'x-request-id': 'req-1' }, () => {
        for (let i = 0; i < n; i++) log.info({ user: 'u-1', count: i, ok: true }, 'request handled');
      }),
      done: () => logging.flush(),
    };
  },
  async 'pino-sync'(dest) {
    const { default: pino } = await import('pino');
    const log = pino(pino.destination({ dest, sync: true }));
    return { run: (n) => { for (let i = 0; i < n; i++) log.info({ user: 'u-1', count: i, ok: true }, 'request handled'); }, done: async () => {} };
  },
  async 'pino-async'(dest) {
    const { default: pino } = await import('pino');
    const stream = pino.destination({ dest, sync: false });
    const log = pino(stream);
    await new Promise((resolve) => stream.once('ready', resolve));
    return {
      run: (n) => { for (let i = 0; i < n; i++) log.info({ user: 'u-1', count: i, ok: true }, 'request handled'); },
      done: () => new Promise((resolve) => stream.flush(resolve)),
    };
  },
  async winston(dest) {
    const { default: winston } = await import('winston');
    const stream = createWriteStream(dest, { flags: 'a' });
    const log = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    return {
      run: (n) => { for (let i = 0; i < n; i++) log.info('request handled', { user: 'u-1', count: i, ok: true }); },
      done: () => new Promise((resolve) => { log.on('finish', () => stream.end(resolve)); log.end(); }),
    };
  },
  async 'JSON.stringify'(dest) {
    const stream = createWriteStream(dest, { flags: 'a' });
    return {
      run: (n) => {
        for (let i = 0; i < n; i++) stream.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'request handled', user: 'u-1', count: i, ok: true }) + '\n');
      },
      done: () => new Promise((resolve) => stream.end(resolve)),
    };
  },
};

async function child(name, mode, dest) {
  const target = await contenders[name](dest);
  if (mode === 'exit') {
    target.run(EXIT_LINES);
    process.exit(0);
  }
  target.run(20_000); // warm up
  const start = process.hrtime.bigint();
  target.run(LINES);
  await target.done();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ linesPerSecond: LINES / seconds }));
}

function inChild(name, mode, dest) {
  const result = spawnSync(process.execPath, [SELF, name, mode, dest], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${name} ${mode}: exited ${result.status}\n${result.stderr}`);
  return result.stdout;
}

if (process.argv[2] !== undefined) {
  await child(process.argv[2], process.argv[3], process.argv[4]);
} else {
  const names = Object.keys(contenders);
  const best = Object.fromEntries(names.map((name) => [name, 0]));
  for (let round = 0; round < 3; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const { linesPerSecond } = JSON.parse(inChild(name, 'time', '/dev/null'));
      best[name] = Math.max(best[name], linesPerSecond);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsforge-bench-log-'));
  const kept = {};
  try {
    for (const name of names) {
      const file = join(dir, `${name}.log`);
      inChild(name, 'exit', file);
      kept[name] = !existsSync(file) ? 0 : readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = best['pino-sync'];
  console.log(`\nlog lines/s, ${LINES} lines with 3 fields to /dev/null (best of 3), and lines on disk after process.exit(0) right after ${EXIT_LINES}:`);
  console.log('| logger | lines/s | ratio to pino-sync | ratio to winston | on disk at exit |');
  console.log('|---|---:|---:|---:|---:|');
  for (const name of names) {
    console.log(`| ${name} | ${Math.round(best[name])} | ${(best[name] / base).toFixed(2)} | ${(best[name] / best.winston).toFixed(2)} | ${kept[name]} / ${EXIT_LINES} |`);
  }
}
