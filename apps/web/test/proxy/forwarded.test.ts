// The web app's Vite servers proxy /v1 to the API, which believes their X-Forwarded-For: it must
// name the connection's peer alone, whatever the client sent (round 11's break test: with `xfwd` a
// client behind :3002 chose its own source and escaped the sign-in lockout). A real dev server on
// this project's vite.config.ts, in front of a recorder standing for the API.
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const WEB_DIR = join(import.meta.dirname, '../..');
const seen: IncomingHttpHeaders[] = [];
const api = createHttpServer((req, res) => {
  seen.push(req.headers);
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
});
let vite: ViteDevServer;
let port: number;

beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  process.env.VITE_API_PROXY_TARGET = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  vite = await createServer({ root: WEB_DIR, configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'silent', server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await vite.listen();
  port = (vite.httpServer!.address() as { port: number }).port;
});
afterAll(async () => {
  await vite?.close();
  api.close();
  delete process.env.VITE_API_PROXY_TARGET;
});

/** A request to the dev server's /v1 with the headers a client chose. */
function send(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/auth/me', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the /v1 proxy of the web app', () => {
  it('tells the API the connection peer, not the X-Forwarded-For a client sent', async () => {
    expect(await send({ 'x-forwarded-for': '198.51.100.7', forwarded: 'for=198.51.100.8', 'x-real-ip': '198.51.100.9', 'x-forwarded-proto': 'https' })).toBe(200);
    expect(await send({})).toBe(200);
    for (const headers of seen) {
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(headers['x-forwarded-proto']).toBe('http');
      expect(headers.forwarded).toBeUndefined();
      expect(headers['x-real-ip']).toBeUndefined();
    }
    expect(seen).toHaveLength(2);
  });
});
