// The production build bundles the server (bundle.ts): one file to load instead of ~1,000 small
// modules from node_modules, which were most of a cold start and of the peak heap (a start or RSS
// bound would be a flaky test; these check the structure that gives them).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_PACKAGES } from '../bundle.js';

const packageJsonPath = fileURLToPath(new URL('../package.json', import.meta.url));
const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

describe('the production bundle', () => {
  it('is made by `build` from what tsc emitted, so `pnpm start`, the image and the bench run it', () => {
    expect(packageJson.scripts.build).toBe('tsc -p tsconfig.build.json && node bundle.ts');
    expect(packageJson.scripts.start).toMatch(/ node dist\/server\.js$/);
  });

  it('leaves out only packages the API depends on itself, so node finds them from dist/ (also in `pnpm deploy`)', () => {
    for (const name of EXTERNAL_PACKAGES) {
      expect(packageJson.dependencies, name).toHaveProperty([name]);
      expect(existsSync(fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url))), name).toBe(true);
    }
  });
});
