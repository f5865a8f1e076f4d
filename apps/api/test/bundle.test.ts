// The production build bundles the server (bundle.ts): one file to load instead of ~1,000 small
// modules from node_modules, which were most of a cold start and of the peak heap (a start or RSS
// bound would be a flaky test; these check the structure that gives them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleServer, EXTERNAL_PACKAGES, LOCATED_PACKAGES } from '../bundle.js';

const packageJsonPath = fileURLToPath(new URL('../package.json', import.meta.url));
const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

describe('the production bundle', () => {
  it('is made by `build` from what tsc emitted, so `pnpm start`, the image and the bench run it', () => {
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json && node bundle.ts');
    expect(packageJson.scripts.start).toMatch(/ node dist\/server\.js$/);
  });

  it('leaves out, or finds the files of, only packages the API depends on itself, so node finds them from dist/ (also in `pnpm deploy`)', () => {
    for (const name of [...EXTERNAL_PACKAGES, ...LOCATED_PACKAGES]) {
      expect(packageJson.dependencies, name).toHaveProperty([name]);
      expect(existsSync(fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url))), name).toBe(true);
    }
  });

  it('bundles swagger-ui, whose /docs assets are still read from its own folder', async () => {
    // Inside apps/api/node_modules, so the bundle resolves packages as dist/server.js does.
    const dir = mkdtempSync(fileURLToPath(new URL('../node_modules/.bundle-test-', import.meta.url)));
    try {
      const entry = join(dir, 'entry.mjs');
      writeFileSync(
        entry,
        [
          "import Fastify from 'fastify';",
          "import swagger from '@fastify/swagger';",
          "import swaggerUi from '@fastify/swagger-ui';",
          'const app = Fastify();',
          "await app.register(swagger, { mode: 'static', specification: { document: { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: {} } } });",
          "await app.register(swaggerUi, { routePrefix: '/docs' });",
          "const answers = await Promise.all(['/docs/', '/docs/static/logo.svg', '/docs/static/swagger-ui-bundle.js'].map((url) => app.inject(url)));",
          "console.log(JSON.stringify(answers.map((a) => [a.statusCode, a.headers['content-type']])));",
        ].join('\n'),
      );
      const outputs = await bundleServer(entry, dir);
      const bundle = readFileSync(join(dir, 'server.js'), 'utf8');
      // Bundled, not imported from node_modules.
      expect(bundle).not.toMatch(/from ['"]@fastify\/swagger-ui['"]/);
      expect(outputs.length).toBeGreaterThan(0);
      const answers = JSON.parse(execFileSync(process.execPath, [join(dir, 'server.js')], { encoding: 'utf8' })) as [number, string][];
      expect(answers).toEqual([
        [200, 'text/html; charset=utf-8'],
        [200, 'image/svg+xml'],
        [200, 'application/javascript; charset=utf-8'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
