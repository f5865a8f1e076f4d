import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { defaultClientConditions, defineConfig, loadEnv, type Plugin, type ProxyOptions } from 'vite';

/** Read @agentcaller/sdk and @agentcaller/contracts from their TypeScript source: no prior build. */
export const SOURCE_CONDITION = '@agentcaller/source';

/**
 * The API believes this proxy's `X-Forwarded-For` (TRUST_PROXY, or development's loopback default):
 * the proxy names the connection's peer and nothing else. `xfwd` appended the peer to whatever the
 * client had sent, so the API, skipping the trusted hop, took the client's own word for its address
 * and the sign-in lockout and per-source throttle could be escaped (round 11's break test).
 */
export const forwardPeerOnly: NonNullable<ProxyOptions['configure']> = (proxy) => {
  proxy.on('proxyReq', (proxyReq, req) => {
    const socket = req.socket as typeof req.socket & { encrypted?: boolean };
    proxyReq.setHeader('x-forwarded-for', socket.remoteAddress ?? '');
    proxyReq.setHeader('x-forwarded-proto', socket.encrypted ? 'https' : 'http');
    if (req.headers.host !== undefined) proxyReq.setHeader('x-forwarded-host', req.headers.host);
    for (const header of ['x-forwarded-port', 'forwarded', 'x-real-ip']) proxyReq.removeHeader(header);
  });
};

/**
 * The security headers of the app's pages, read from the nginx snippet the image serves them with
 * (nginx/security-headers.conf: one list for both): `pnpm preview` sends them too, so the built
 * app is tried under the same Content-Security-Policy it ships with (the browser tests run on it).
 * Not the dev server: its module reloading injects inline scripts.
 */
export const PAGE_HEADERS: Record<string, string> = Object.fromEntries(
  [...readFileSync(new URL('./nginx/security-headers.conf', import.meta.url), 'utf8').matchAll(/^add_header\s+(\S+)\s+"([^"]*)"\s+always;$/gm)].map(([, name, value]) => [name!, value!]),
);

/**
 * The API trusts this proxy (TRUST_PROXY) and so does not cap its connections per address: every
 * client behind it shares it. The proxy caps them instead, as SECURITY.md asks of any proxy in front of
 * the API: round 13's break test held 2,050 connections to :3002 from one address, the proxy opened
 * 2,000 to the API, and the API answered nobody else. One address holds at most 64 connections (a
 * browser opens 6 per host), all clients 1,000 (half the API's MAX_CONNECTIONS); one past either is
 * closed at once. One entry per address with a connection open.
 */
export const CONNECTIONS_PER_CLIENT = 64;
const CONNECTIONS_IN_ALL = 1000;

function capConnections(server: Server): void {
  server.maxConnections = CONNECTIONS_IN_ALL;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    // Node's own error listener goes when a connection is upgraded (a WebSocket request), and nothing
    // took the upgraded socket over: a reset on it was an uncaught error that stopped the server
    // (round 13's second break test). This one stays.
    socket.on('error', () => socket.destroy());
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > CONNECTIONS_PER_CLIENT) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/** capConnections on the dev server and on `pnpm preview`. */
const connectionCap: Plugin = {
  name: 'agentcaller:connection-cap',
  configureServer(server) {
    if (server.httpServer) capConnections(server.httpServer as Server);
  },
  configurePreviewServer(server) {
    capConnections(server.httpServer as Server);
  },
};

export default defineConfig(({ mode }) => {
  // loadEnv gives variables already in the environment priority over .env files.
  const env = loadEnv(mode, process.cwd(), 'VITE_');
  const target = env.VITE_API_PROXY_TARGET || 'http://127.0.0.1:8000';
  // The browser talks to its own origin and /v1 goes on to the API: no CORS, and the session
  // cookies belong to the page's origin.
  const proxy: Record<string, ProxyOptions> = { '/v1': { target, configure: forwardPeerOnly } };
  return {
    plugins: [react(), connectionCap],
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    // No CORS of Vite's own: by default it granted any localhost or 127.0.0.1 origin, on the proxied
    // API answers too. The page is same-origin; the API's own CORS_ORIGINS decides the rest.
    server: { port: 3002, strictPort: true, proxy, cors: false },
    preview: { port: 3002, strictPort: true, proxy, cors: false, headers: PAGE_HEADERS },
    build: {
      outDir: 'dist',
      sourcemap: true,
      target: 'es2022',
      rolldownOptions: {
        output: {
          // React and the router change least often: their own chunk stays cached across releases.
          codeSplitting: { groups: [{ name: 'react', test: /[\\/]node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?(react|react-dom|scheduler|react-router|cookie-es)[\\/]/ }] },
        },
      },
    },
  };
});
