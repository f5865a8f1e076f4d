// `pnpm preview` serves the app's pages with the security headers the image's nginx adds
// (nginx/security-headers.conf), not none (round 11's break test): a real preview server on this
// project's vite.config.ts, serving a built page of its own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_HEADERS } from '../../vite.config.js';

const WEB_DIR = join(import.meta.dirname, '../..');
const outDir = mkdtempSync(join(tmpdir(), 'agentcaller-page-headers-'));
let server: PreviewServer;
let base: string;

beforeAll(async () => {
  writeFileSync(join(outDir, 'index.html'), '<!doctype html><title>t</title>');
  server = await preview({ root: WEB_DIR, configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const address = server.httpServer.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await server?.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe("the preview server's pages", () => {
  it('are read from the nginx snippet, every header of it', () => {
    const lines = readFileSync(join(WEB_DIR, 'nginx/security-headers.conf'), 'utf8').split('\n').filter((line) => line.startsWith('add_header'));
    expect(Object.keys(PAGE_HEADERS)).toHaveLength(lines.length);
    expect(PAGE_HEADERS['Content-Security-Policy']).toContain("script-src 'self'");
  });

  it('carry them, on the page and on a path the app routes itself', async () => {
    for (const path of ['/', '/clients/7']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      for (const [name, value] of Object.entries(PAGE_HEADERS)) expect(res.headers.get(name), `${name} on ${path}`).toBe(value);
    }
  });
});
