import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Redis for the tests that claim distribution: Debian's `redis-server` on a free loopback port,
 * no persistence (`--save '' --appendonly no`), its working folder a temporary directory removed on stop.
 * Nothing is mocked: BullMQ talks to this server exactly as it would to a production one.
 */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0`: what `--queue` takes. */
  readonly url: string;
  /** Stop the server (SIGTERM, wait for its exit); with `keepDir` the folder stays for a restart. */
  stop(keepDir?: boolean): Promise<void>;
  /** Stop and start again on the same port: every job is lost (no persistence), as after a crash without AOF. */
  restart(): Promise<void>;
}

export const REDIS_SERVER = process.env.SOILSCALE_REDIS_SERVER ?? '/usr/bin/redis-server';

/** A port nobody listens on right now (the kernel picks one; a race with other processes is possible but rare). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Start a private redis-server and wait until it answers PING. */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-redis-'));
  let child = await launch(port, dir);
  const stop = async (keepDir = false): Promise<void> => {
    await terminate(child);
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    stop,
    async restart() {
      await stop(true);
      child = await launch(port, dir);
    },
  };
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited with code ${code}: ${stderr.trim()}`))),
  );
  exited.catch(() => {});
  await Promise.race([waitForPing(port, 10_000), exited]);
  return child;
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Poll with a raw RESP PING until `+PONG` (no client library: the harness must not depend on what it tests). */
async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on 127.0.0.1:${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
