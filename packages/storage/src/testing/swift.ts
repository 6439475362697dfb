import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** How to reach a running Swift: what an S3 client needs. */
export interface SwiftServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Kills the four servers by PID and removes their temp dir. */
  stop(): Promise<void>;
  /**
   * A hung store: SIGSTOP to the proxy server. The kernel still accepts connections on its port,
   * but nothing reads or answers them until `thaw()` (SIGCONT).
   */
  freeze(): void;
  thaw(): void;
  /** A refused store: the proxy server alone exits (its port is closed); the others keep running. */
  kill(): Promise<void>;
  /** Starts the proxy server again on the same port; resolves once it answers `/healthcheck`. */
  restart(): Promise<void>;
}

export interface StartSwiftOptions {
  /** The Python that has Debian's `python3-swift`; default `/usr/bin/python3`. */
  python?: string;
  /** Give up waiting for `/healthcheck` after this long; default 30 s. */
  timeoutMs?: number;
  /** Buckets to create once it is up. */
  buckets?: string[];
}

const SERVERS = ['account', 'container', 'object'] as const;
type Role = (typeof SERVERS)[number] | 'proxy';

/** What a missing Swift looks like, so callers can skip locally and fail loudly on CI. */
export class SwiftUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SwiftUnavailableError';
  }
}

/** True when Debian's `python3-swift` and `python3-pastedeploy` can be imported. */
export function swiftAvailable(python = '/usr/bin/python3'): boolean {
  if (!existsSync(python)) return false;
  return spawnSync(python, ['-c', 'import swift, paste.deploy'], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether Swift suites can run here: false on a developer machine without the packages (skip
 * them), but a `SwiftUnavailableError` under `CI`, where a skipped S3 suite would pass unseen.
 */
export function swiftRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  if (swiftAvailable()) return true;
  if (env.CI) throw new SwiftUnavailableError('CI is set but OpenStack Swift is missing: apt-get install python3-swift python3-pastedeploy');
  return false;
}

/**
 * Starts OpenStack Swift with its S3 layer (`s3api`, which verifies SigV4) on 127.0.0.1: the
 * account, container, object and proxy servers, each on a free port, configured in a fresh temp
 * dir. Resolves once the proxy answers `/healthcheck`. Needs the Debian packages `python3-swift`
 * and `python3-pastedeploy`.
 */
export async function startSwift(options: StartSwiftOptions = {}): Promise<SwiftServer> {
  const python = options.python ?? '/usr/bin/python3';
  if (!swiftAvailable(python)) {
    throw new SwiftUnavailableError(`OpenStack Swift is not importable by ${python}: apt-get install python3-swift python3-pastedeploy`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'tsforge-swift-'));
  const running = new Map<Role, ChildProcess>();
  const output: string[] = [];
  const etc = join(dir, 'etc');
  const launch = (role: Role) => {
    const child = spawn(python, ['-c', RUN_SCRIPT, etc, join(etc, `${role}-server.conf`), `${role}-server`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => keep(output, `${role}: ${d}`));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => keep(output, `${role}: ${d}`));
    running.set(role, child);
  };
  const stop = async () => {
    // A frozen proxy would not act on SIGTERM; SIGCONT is harmless to a running one.
    running.get('proxy')?.kill('SIGCONT');
    await Promise.all([...running.values()].map(kill));
    running.clear();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports = await freePorts(4);
    const port: Record<Role, number> = { account: ports[0]!, container: ports[1]!, object: ports[2]!, proxy: ports[3]! };
    await writeConfig(dir, port);
    const rings = spawnSync(python, ['-c', RING_SCRIPT, etc, String(port.account), String(port.container), String(port.object)], {
      encoding: 'utf8',
    });
    if (rings.status !== 0) throw new Error(`building Swift rings failed: ${rings.stderr}`);
    for (const role of [...SERVERS, 'proxy'] as const) launch(role);
    const endpoint = `http://127.0.0.1:${port.proxy}`;
    const backends = [port.account, port.container, port.object];
    const timeoutMs = options.timeoutMs ?? 30_000;
    await waitHealthy(endpoint, backends, [...running.values()], output, timeoutMs);
    const proxy = () => {
      const child = running.get('proxy');
      if (!child) throw new Error('the Swift proxy server is not running (kill() without restart(), or stopped)');
      return child;
    };
    const server: SwiftServer = {
      endpoint, accessKeyId: 'test:tester', secretAccessKey: 'testing', region: 'us-east-1', stop,
      freeze: () => void proxy().kill('SIGSTOP'),
      thaw: () => void proxy().kill('SIGCONT'),
      kill: async () => {
        const child = proxy();
        running.delete('proxy');
        child.kill('SIGCONT');
        await kill(child);
      },
      restart: async () => {
        if (running.has('proxy')) throw new Error('the Swift proxy server is still running: kill() it first');
        launch('proxy');
        await waitHealthy(endpoint, backends, [...running.values()], output, timeoutMs);
      },
    };
    if (options.buckets?.length) await createBuckets(server, options.buckets);
    return server;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function createBuckets(server: Pick<SwiftServer, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>, buckets: string[]): Promise<void> {
  // Loaded only here: the S3 client is a dependency of the S3 driver, not of the harness.
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: server.region, endpoint: server.endpoint, forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  try {
    for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

function keep(output: string[], line: string): void {
  output.push(line);
  if (output.length > 200) output.shift();
}

async function waitHealthy(endpoint: string, backends: number[], children: ChildProcess[], output: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (dead) throw new Error(`a Swift server exited during start-up:\n${output.join('')}`);
    try {
      const response = await fetch(`${endpoint}/healthcheck`);
      await response.arrayBuffer();
      // The proxy answering is not enough: the servers behind it must be listening too.
      if (response.ok && (await Promise.all(backends.map(listening))).every(Boolean)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`Swift did not become healthy within ${timeoutMs} ms:\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function freePorts(count: number): Promise<number[]> {
  // Hold every probe open until all are bound, so no two of them get the same port.
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

async function writeConfig(dir: string, port: Record<Role, number>): Promise<void> {
  const etc = join(dir, 'etc');
  const devices = join(dir, 'devices');
  await mkdir(etc, { recursive: true });
  for (const role of SERVERS) await mkdir(join(devices, role), { recursive: true });
  await mkdir(join(dir, 'run'), { recursive: true });
  const user = userInfo().username;
  const common = (role: Role) => [
    '[DEFAULT]',
    `swift_dir = ${etc}`,
    `devices = ${devices}`,
    'mount_check = false',
    'bind_ip = 127.0.0.1',
    `bind_port = ${port[role]}`,
    'workers = 0',
    `user = ${user}`,
    'log_level = WARNING',
    `log_name = ${role}-server`,
    'disable_fallocate = true',
    '',
  ];
  await writeFile(join(etc, 'swift.conf'), [
    '[swift-hash]',
    'swift_hash_path_suffix = tsforge-test',
    'swift_hash_path_prefix = tsforge-test',
    '',
    '[storage-policy:0]',
    'name = gold',
    'default = yes',
    '',
  ].join('\n'));
  for (const role of SERVERS) {
    await writeFile(join(etc, `${role}-server.conf`), [
      ...common(role),
      '[pipeline:main]',
      `pipeline = ${role}-server`,
      '',
      `[app:${role}-server]`,
      `use = egg:swift#${role}`,
      '',
      ...(role === 'object' ? [] : [`[${role}-replicator]`, '', `[${role}-auditor]`, '']),
    ].join('\n'));
  }
  await writeFile(join(etc, 'proxy-server.conf'), [
    ...common('proxy'),
    '[pipeline:main]',
    'pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server',
    '',
    '[app:proxy-server]',
    'use = egg:swift#proxy',
    'account_autocreate = true',
    '',
    '[filter:catch_errors]', 'use = egg:swift#catch_errors', '',
    '[filter:gatekeeper]', 'use = egg:swift#gatekeeper', '',
    '[filter:healthcheck]', 'use = egg:swift#healthcheck', '',
    '[filter:proxy-logging]', 'use = egg:swift#proxy_logging', '',
    '[filter:cache]', 'use = egg:swift#memcache', '',
    '[filter:listing_formats]', 'use = egg:swift#listing_formats', '',
    '[filter:s3api]',
    'use = egg:swift#s3api',
    'location = us-east-1',
    'dns_compliant_bucket_names = true',
    'allow_multipart_uploads = true',
    's3_acl = false',
    '',
    '[filter:tempauth]',
    'use = egg:swift#tempauth',
    'user_test_tester = testing .admin',
    '',
    '[filter:copy]', 'use = egg:swift#copy', '',
    '[filter:slo]', 'use = egg:swift#slo', '',
    '[filter:dlo]', 'use = egg:swift#dlo', '',
  ].join('\n'));
}

const RING_SCRIPT = `
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for role, port in zip(('account', 'container', 'object'), sys.argv[2:5]):
    builder = RingBuilder(4, 1, 1)
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port), 'device': role, 'weight': 100, 'meta': ''})
    builder.rebalance()
    builder.get_ring().save('%s/%s.ring.gz' % (etc, role))
`;

const RUN_SCRIPT = `
import sys
from swift.common.utils import set_swift_dir
set_swift_dir(sys.argv[1])
from swift.common.wsgi import run_wsgi
sys.exit(run_wsgi(sys.argv[2], sys.argv[3]))
`;
