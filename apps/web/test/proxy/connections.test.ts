// The API does not cap connections per address for a proxy it trusts (its clients share the proxy's
// address), so the web app's Vite servers cap them per client: round 13's break test held 2,050
// connections to :3002 from one address and the API behind it answered nobody else. A real dev server
// on this project's vite.config.ts.
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, preview, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTIONS_PER_CLIENT } from '../../vite.config.js';

const WEB_DIR = join(import.meta.dirname, '../..');
let vite: ViteDevServer;
let port: number;

beforeAll(async () => {
  vite = await createServer({ root: WEB_DIR, configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'silent', server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await vite.listen();
  port = (vite.httpServer!.address() as { port: number }).port;
});
afterAll(async () => {
  await vite?.close();
});

/** `count` idle connections from `localAddress`, each open (the server has taken it). */
async function idle(count: number, localAddress: string): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) sockets.push(await new Promise<Socket>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
  }));
  return sockets;
}

/** What the server answers `GET /` on a new connection from `localAddress`: a status line, or `closed`. */
function answer(localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(head === '' ? 'closed' : head.split('\r\n')[0]!));
  });
}

describe('connections to the web servers', () => {
  it('are at most CONNECTIONS_PER_CLIENT from one address: past it closed, other addresses served, the count given back', async () => {
    const held = await idle(CONNECTIONS_PER_CLIENT, '127.0.0.1');
    try {
      expect(await answer('127.0.0.1')).toBe('closed');
      expect(await answer('127.0.0.2')).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      for (const socket of held) socket.destroy();
    }
    const deadline = Date.now() + 5000;
    let after = 'closed';
    while (after === 'closed' && Date.now() < deadline) after = await answer('127.0.0.1');
    expect(after).toMatch(/^HTTP\/1\.1 200/);
  });
});

// Round 13's second break test: a WebSocket upgrade request, then a TCP reset, stopped `pnpm preview`
// (the upgraded socket had no error listener; the dev server's own WebSocket server takes upgrades).
// A real preview server on this project's vite.config.ts.
describe('an upgrade request reset by its client', () => {
  it('leaves the preview server answering', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'agentcaller-upgrade-'));
    writeFileSync(join(outDir, 'index.html'), '<!doctype html><title>t</title>');
    const server = await preview({ root: WEB_DIR, configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
    const target = (server.httpServer.address() as { port: number }).port;
    try {
      for (const path of ['/', '/v1/health']) {
        await new Promise<void>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port: target }, () => {
            socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
            setTimeout(() => {
              socket.resetAndDestroy();
              resolve();
            }, 100);
          });
          socket.on('error', () => {});
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      const res = await fetch(`http://127.0.0.1:${target}/`);
      expect(res.status).toBe(200);
    } finally {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
