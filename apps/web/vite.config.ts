import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, loadEnv, type ProxyOptions } from 'vite';

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

export default defineConfig(({ mode }) => {
  // loadEnv gives variables already in the environment priority over .env files.
  const env = loadEnv(mode, process.cwd(), 'VITE_');
  const target = env.VITE_API_PROXY_TARGET || 'http://127.0.0.1:8000';
  // The browser talks to its own origin and /v1 goes on to the API: no CORS, and the session
  // cookies belong to the page's origin.
  const proxy: Record<string, ProxyOptions> = { '/v1': { target, configure: forwardPeerOnly } };
  return {
    plugins: [react()],
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
