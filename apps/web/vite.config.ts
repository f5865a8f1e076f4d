import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, loadEnv, type ProxyOptions } from 'vite';

/** Read @agentcaller/sdk and @agentcaller/contracts from their TypeScript source: no prior build. */
export const SOURCE_CONDITION = '@agentcaller/source';

export default defineConfig(({ mode }) => {
  // loadEnv gives variables already in the environment priority over .env files.
  const env = loadEnv(mode, process.cwd(), 'VITE_');
  const target = env.VITE_API_PROXY_TARGET || 'http://127.0.0.1:8000';
  // The browser talks to its own origin and /v1 goes on to the API: no CORS, and the session
  // cookies belong to the page's origin.
  const proxy: Record<string, ProxyOptions> = { '/v1': { target, xfwd: true } };
  return {
    plugins: [react()],
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    // No CORS of Vite's own: by default it granted any localhost or 127.0.0.1 origin, on the proxied
    // API answers too. The page is same-origin; the API's own CORS_ORIGINS decides the rest.
    server: { port: 3002, strictPort: true, proxy, cors: false },
    preview: { port: 3002, strictPort: true, proxy, cors: false },
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
