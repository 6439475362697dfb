// Large transfers through `tsforge serve` on the local driver beside a plain fs stream copy of
// the same file, in one run; the server's peak RSS growth while they run; and signed URL
// creation and verification per second on local disk and on S3 (OpenStack Swift, started here).
// Part of `npm run bench`. All traffic goes to 127.0.0.1. BENCH_TRANSFER_MIB (default 1024)
// sets the file size, BENCH_TRANSFER_ROUNDS (default 3) the rounds, BENCH_DURATION (default 5)
// the seconds per rate measurement.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Disk, LocalDriver, UrlSigner } from '../packages/storage/dist/index.js';
import { cpuSeconds, rssBytes } from './proc.mjs';

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_TRANSFER_MIB ?? 1024) * MIB;
const SECONDS = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_TRANSFER_ROUNDS ?? 3);
const CLIENT_CHUNK = MIB;
const CLI = fileURLToPath(new URL('../packages/server/dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tsforge-bench-transfer-'));
const children = [];

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`tsforge ${args.join(' ')} exited ${code}`))));
  });
}

function serve(dataDir) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    env: { ...process.env, TSFORGE_DATA_DIR: dataDir, LOG_FORMAT: "json", TSFORGE_MAX_UPLOAD_BYTES: String(SIZE) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (d) => {
      buffered += d;
      const match = /"url":"(http:[^"]+)"/.exec(buffered);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`tsforge serve exited ${code}`)));
  });
}



const ownCpuSeconds = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };

/**
 * Samples a process's RSS every 20 ms while `fn` runs; returns fn's seconds, the peak growth and
 * the CPU seconds the server and this process (the client) used meanwhile.
 */
async function watched(pid, fn) {
  const before = rssBytes(pid);
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, rssBytes(pid)); }, 20);
  const [serverCpu, clientCpu] = [cpuSeconds(pid), ownCpuSeconds()];
  const started = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, rssBytes(pid));
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    growth: peak - before,
    cpu: cpuSeconds(pid) - serverCpu + ownCpuSeconds() - clientCpu,
  };
}

async function fsCopy(from, to) {
  const cpu = ownCpuSeconds();
  const started = process.hrtime.bigint();
  await pipeline(createReadStream(from), createWriteStream(to));
  const handle = await open(to, 'r+');
  await handle.sync(); // as a put does before it answers
  await handle.close();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu: ownCpuSeconds() - cpu };
}

function upload(url, token, file) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 || res.statusCode === 200 ? resolve() : reject(new Error(`upload: ${res.statusCode}`))));
    });
    req.on('error', reject);
    // 1 MiB reads: with the 64 KiB default this client alone costs ~2x curl -T's CPU per byte,
    // taken from the same 2 cores the server runs on; 1 MiB brings it to curl's level.
    createReadStream(file, { highWaterMark: CLIENT_CHUNK }).pipe(req);
  });
}

function download(url, token, file) {
  return new Promise((resolve, reject) => {
    request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`download: ${res.statusCode}`));
      pipeline(res, createWriteStream(file)).then(resolve, reject);
    }).on('error', reject).end();
  });
}

async function rate(fn, inFlight = 1) {
  let n = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (Date.now() < end) { await fn(); n++; }
  }));
  return n / SECONDS;
}

const mb = (bytes, seconds) => (bytes / MIB / seconds).toFixed(0);

try {
  // The source file, random so no layer can compress it.
  const source = join(dir, 'source.bin');
  const handle = await open(source, 'w');
  const block = Buffer.alloc(16 * MIB);
  for (let written = 0; written < SIZE; written += block.length) {
    (await import('node:crypto')).randomFillSync(block);
    await handle.write(block, 0, Math.min(block.length, SIZE - written));
  }
  await handle.close();

  const dataDir = join(dir, 'data');
  const client = JSON.parse(await run(['client', 'create', '--name', 'bench', '--grant', 'client_credentials', '--scope', 'files:read files:write', '--json'], { TSFORGE_DATA_DIR: dataDir }));
  const server = await serve(dataDir);
  const tokenResponse = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = await tokenResponse.json();

  // Rounds of copy, upload, download, so disk and page-cache noise hits each alike; medians
  // compared. Each round starts at the next step: what one step frees (a deleted copy, the
  // version an upload replaces) changes what the next one pays for fresh pages on this VM, so
  // no step always follows the same one.
  const copies = [];
  const ups = [];
  const downs = [];
  const steps = [
    async () => {
      copies.push(await fsCopy(source, join(dir, 'copy.bin')));
      rmSync(join(dir, 'copy.bin'));
    },
    async () => {
      ups.push(await watched(server.child.pid, () => upload(`${server.url}/api/files/big.bin`, token, source)));
    },
    async () => {
      downs.push(await watched(server.child.pid, () => download(`${server.url}/api/files/big.bin`, token, join(dir, 'down.bin'))));
      if (statSync(join(dir, 'down.bin')).size !== SIZE) throw new Error('download size mismatch');
      rmSync(join(dir, 'down.bin'));
    },
  ];
  // The file must exist before any download: a first upload, timed apart (it also pays for the
  // data directory's first use) but counted in the peak RSS growth.
  const first = await watched(server.child.pid, () => upload(`${server.url}/api/files/big.bin`, token, source));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < steps.length; i++) await steps[(round + i) % steps.length]();
  }
  server.child.kill('SIGTERM');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const copy = median(copies.map((c) => c.seconds));
  const up = { seconds: median(ups.map((u) => u.seconds)), growth: Math.max(first.growth, ...ups.map((u) => u.growth)) };
  const down = { seconds: median(downs.map((d) => d.seconds)), growth: Math.max(...downs.map((d) => d.growth)) };
  const runs = (xs) => xs.map((x) => mb(SIZE, x.seconds)).join(' / ');
  // CPU seconds per GiB moved, client and server together: what the transfer costs the machine,
  // which the MiB/s columns only show when the cores are free.
  const cpuPerGiB = (xs) => (median(xs.map((x) => x.cpu)) / (SIZE / 1024 / MIB)).toFixed(2);

  console.log(`\nA ${SIZE / MIB} MiB file through tsforge serve (local driver) beside a plain fs stream copy (read, write, fsync); ${ROUNDS} rounds of copy, upload, download, each round starting one step later; medians; upload client reads 1 MiB at a time\n`);
  console.log('| transfer | MiB/s (median; each round) | ratio to fs copy | CPU s per GiB, client + server (median) | server peak RSS growth (max) |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| fs stream copy (baseline) | ${mb(SIZE, copy)} (${runs(copies)}) | 1 | ${cpuPerGiB(copies)} | - |`);
  console.log(`| PUT /api/files/big.bin (streamed to a temp file, hashed, fsync, rename) | ${mb(SIZE, up.seconds)} (${runs(ups)}) | ${(copy / up.seconds).toFixed(2)} | ${cpuPerGiB(ups)} | ${(up.growth / MIB).toFixed(1)} MiB |`);
  console.log(`| GET /api/files/big.bin (client writes it to a file) | ${mb(SIZE, down.seconds)} (${runs(downs)}) | ${(copy / down.seconds).toFixed(2)} | ${cpuPerGiB(downs)} | ${(down.growth / MIB).toFixed(1)} MiB |`);

  // Signed URLs on local disk: creation (HMAC, plus the existence check Disk.signedUrl makes) and verification.
  const signer = new UrlSigner({ secret: Buffer.alloc(32, 7) });
  const disk = new Disk(new LocalDriver({ root: join(dir, 'sign') }), { signer, signedUrlBase: 'http://127.0.0.1:3000/files' });
  await disk.put('photos/2024/cat.jpg', 'x');
  const sample = await disk.signedUrl('photos/2024/cat.jpg', { expiresIn: 3600 });
  const query = sample.url.slice(sample.url.indexOf('?') + 1);
  const rows = [
    ['local: UrlSigner.sign (HMAC-SHA256 only)', await rate(async () => { signer.sign({ method: 'GET', key: 'photos/2024/cat.jpg', expiresAt: 2_000_000_000 }); })],
    ['local: Disk.signedUrl (key check, stat, sign, URL)', await rate(() => disk.signedUrl('photos/2024/cat.jpg', { expiresIn: 3600 }), 20)],
    ['local: Disk.verifySignedUrl (parse, HMAC, constant-time compare)', await rate(async () => { disk.verifySignedUrl('photos/2024/cat.jpg', query); })],
  ];

  const { startSwift, swiftAvailable } = await import('../packages/storage/dist/testing/index.js');
  if (swiftAvailable()) {
    const swift = await startSwift({ buckets: ['bench'] });
    try {
      const { S3Driver } = await import('../packages/storage/dist/s3/index.js');
      const driver = new S3Driver({ bucket: 'bench', endpoint: swift.endpoint, forcePathStyle: true, credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey } });
      const s3 = new Disk(driver);
      await s3.put('photos/2024/cat.jpg', 'x');
      const presigned = (await s3.signedUrl('photos/2024/cat.jpg', { expiresIn: 3600 })).url;
      rows.push(['S3: S3Driver.presign (SigV4 query signing, no request)', await rate(() => driver.presign({ method: 'GET', key: 'photos/2024/cat.jpg', expiresIn: 3600 }))]);
      rows.push(['S3: Disk.signedUrl (HEAD to the store, then presign)', await rate(() => s3.signedUrl('photos/2024/cat.jpg', { expiresIn: 3600 }), 20)]);
      rows.push(['S3: presigned GETs verified and served by Swift, 20 in flight', await rate(async () => { const r = await fetch(presigned); await r.arrayBuffer(); if (r.status !== 200) throw new Error(String(r.status)); }, 20)]);
      driver.close();
    } finally {
      await swift.stop();
    }
  } else {
    console.log('\n(OpenStack Swift is not installed: S3 signing rows skipped)');
  }
  console.log(`\nSigned URLs, ${SECONDS}s each\n`);
  console.log('| operation | per second |');
  console.log('|---|---:|');
  for (const [name, r] of rows) console.log(`| ${name} | ${Math.round(r)} |`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
