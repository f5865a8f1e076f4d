// The server and `db:doctor` as plain JavaScript for the tests that spawn them: bundled once per
// run by esbuild (well under a second), kept in the temp folder under a hash of the sources, so a
// spawned process starts with `node` alone instead of compiling the app through tsx (~1.2 s of CPU
// per process). Only our workspace's TypeScript is bundled; every third-party package stays an
// import of the installed one, resolved the way Node would.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, version as esbuildVersion, type Plugin } from 'esbuild';

const API_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT = dirname(dirname(API_DIR));
/** The sources a bundle is made of (their TypeScript, and the lockfile for the versions). */
const SOURCE_DIRS = ['apps/api/src', 'packages/db/src', 'packages/contracts/src'];
/** What a test spawns, by name: the file under `apps/api/src`. */
export const ENTRIES = { server: 'server.ts', doctor: 'cli/doctor.ts', adminGrant: 'cli/admin-grant.ts' } as const;
/** The variable globalSetup sets to the folder of the bundle (workers inherit it). */
export const BUILT_SERVER_VARIABLE = 'AGENTCALLER_TEST_BUILT_SERVER';

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

function sourceHash(): string {
  const hash = createHash('sha256');
  hash.update(`${esbuildVersion}\0${process.version}\0${ROOT}\0`);
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  hash.update(readFileSync(join(ROOT, 'pnpm-lock.yaml')));
  for (const dir of SOURCE_DIRS) {
    for (const file of filesUnder(join(ROOT, dir))) hash.update(`${relative(ROOT, file)}\0`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Bare imports (third-party packages) stay imports of the installed files, resolved from the
 * importing source file as Node would; `@agentcaller/*` and relative imports are bundled. Each
 * source file's `import.meta.url` stays its own URL, so paths computed from it (the migrations
 * folder, the repository root) point where they do when run from the sources.
 */
const keepPackagesAndUrls: Plugin = {
  name: 'keep-packages-and-urls',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { path: args.path, external: true };
      if (args.path.startsWith('@agentcaller/') || args.pluginData === 'resolving') return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
    pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: 'ts',
    }));
  },
};

/** Bundles the entries into the temp folder unless a bundle of these very sources is there; returns its folder. */
export async function buildServer(): Promise<string> {
  const out = join(tmpdir(), 'agentcaller-test-server', sourceHash());
  if (existsSync(join(out, 'done'))) return out;
  const staging = `${out}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(API_DIR, 'src', file)])),
    outdir: staging,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    conditions: ['@agentcaller/source'],
    logLevel: 'warning',
    plugins: [keepPackagesAndUrls],
  });
  writeFileSync(join(staging, 'done'), '');
  try {
    renameSync(staging, out);
  } catch (err) {
    // Another run finished the same bundle first: use it.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(out, 'done'))) throw err;
  }
  return out;
}

/** The bundled entry to spawn with `node`, from the folder globalSetup announced. */
export function builtEntry(name: keyof typeof ENTRIES): string {
  const dir = process.env[BUILT_SERVER_VARIABLE];
  if (!dir) throw new Error(`${BUILT_SERVER_VARIABLE} is not set: apps/api's globalSetup bundles the server`);
  return join(dir, `${name}.mjs`);
}
