// The server, `db:doctor` and `admin:grant` as plain JavaScript for the tests that spawn them:
// bundled once per run by esbuild, kept in the temp folder under a hash of the sources, so a
// spawned process starts with `node` alone instead of compiling the app through tsx (~1.2 s of CPU
// per process). Third-party JavaScript is bundled too: Node then reads a few files instead of
// resolving and loading some 600 modules one by one (their package lookups alone cost ~0.8 s of
// CPU per process). Only packages that cannot live inside a bundle stay imports of the installed
// files: those that find files next to their own (`__dirname`, `import.meta.url`: PGlite's
// WebAssembly, a native addon such as argon2's, swagger-ui's static assets), found by reading what
// the bundle would contain.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, version as esbuildVersion, type BuildOptions, type Plugin } from 'esbuild';

const API_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT = dirname(dirname(API_DIR));
/** The sources a bundle is made of (their TypeScript, and the lockfile for the versions). */
const SOURCE_DIRS = ['apps/api/src', 'packages/db/src', 'packages/contracts/src'];
/** What a test spawns, by name: the file under `apps/api/src`. */
export const ENTRIES = { server: 'server.ts', doctor: 'cli/doctor.ts', adminGrant: 'cli/admin-grant.ts' } as const;
/** The variable globalSetup sets to the folder of the bundle (workers inherit it). */
export const BUILT_SERVER_VARIABLE = 'AGENTCALLER_TEST_BUILT_SERVER';

/**
 * What marks a file that finds files by its own location: moved into a bundle in the temp folder,
 * it would look there. (`require.resolve` too: a bundle would resolve from the temp folder.)
 */
const LOCATION_BOUND = /\b(?:__dirname|__filename|import\.meta\.(?:url|dirname|filename|resolve)|require\.resolve)\b/;

/**
 * Packages whose location-bound code the spawned processes never run, bundled all the same. pino:
 * `__dirname` only locates the worker of a log transport (lib/transport.js), and the server logs
 * to stdout without one.
 */
const BUNDLED_ANYWAY = new Set(['pino']);

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

/** The installed package a file belongs to: the folder under the last `node_modules` (scoped or not). */
function packageOf(file: string): { name: string; root: string } | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const parts = file.slice(at + marker.length).split(sep);
  const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  if (!name) return undefined;
  return { name, root: file.slice(0, at + marker.length) + name };
}

/**
 * `@agentcaller/*` and relative imports are bundled, and each of our source files keeps its own
 * `import.meta.url`, so paths computed from it (the migrations folder, the repository root) point
 * where they do when run from the sources. A third-party package is bundled unless its root is in
 * `external`: then it stays an import of the installed file, resolved from the importing file as
 * Node would (a file URL for `import`, a path for `require`).
 */
function bundlePlugin(external: ReadonlySet<string>): Plugin {
  return {
    name: 'agentcaller-test-bundle',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { path: args.path, external: true };
        if (args.path.startsWith('@agentcaller/') || args.pluginData === 'resolving') return undefined;
        const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const owner = packageOf(resolved.path);
        if (!owner || !external.has(owner.root)) return resolved;
        return { path: args.kind === 'require-call' || args.kind === 'require-resolve' ? resolved.path : pathToFileURL(resolved.path).href, external: true };
      });
      pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => ({
        contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      }));
    },
  };
}

const OPTIONS: BuildOptions = {
  entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(API_DIR, 'src', file)])),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  conditions: ['@agentcaller/source'],
  // The CommonJS packages inside call `require` (for Node's own modules, and for the packages kept
  // outside, by absolute path): an ES module has none of its own.
  banner: { js: "import { createRequire as __agentcallerCreateRequire } from 'node:module'; const require = __agentcallerCreateRequire(import.meta.url);" },
};

/**
 * The roots of the packages that must stay outside the bundle: a first build bundles everything
 * (in memory), then every third-party file it took in is read; a package with a location-bound
 * file, or a native addon, stays outside.
 */
async function packagesToKeepOutside(): Promise<Set<string>> {
  const trial = await build({ ...OPTIONS, write: false, outdir: join(tmpdir(), 'agentcaller-test-server-trial'), metafile: true, logLevel: 'silent', plugins: [bundlePlugin(new Set())] });
  const external = new Set<string>();
  for (const input of Object.keys(trial.metafile.inputs)) {
    const file = join(process.cwd(), input);
    const owner = packageOf(file);
    if (!owner || external.has(owner.root) || BUNDLED_ANYWAY.has(owner.name)) continue;
    if (file.endsWith('.node') || LOCATION_BOUND.test(readFileSync(file, 'utf8'))) external.add(owner.root);
  }
  return external;
}

/** Bundles the entries into the temp folder unless a bundle of these very sources is there; returns its folder. */
export async function buildServer(): Promise<string> {
  const out = join(tmpdir(), 'agentcaller-test-server', sourceHash());
  if (existsSync(join(out, 'done'))) return out;
  const staging = `${out}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const external = await packagesToKeepOutside();
  await build({ ...OPTIONS, outdir: staging, logLevel: 'warning', plugins: [bundlePlugin(external)] });
  writeFileSync(join(staging, 'external.json'), `${JSON.stringify([...external].map((root) => relative(ROOT, root)).sort(), null, 2)}\n`);
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

/**
 * How a test runs a bundled entry: `node` with these arguments (V8 flags, then the file), and
 * these variables added to its environment.
 *
 * - `--liftoff-only`: V8 runs PGlite's WebAssembly (9 MB of PostgreSQL) with its baseline compiler
 *   alone. A process that lives a few seconds never profits from the optimising tier, whose
 *   compiles cost ~1.5 s of CPU per process (and some 400 MB of memory touched) for code it then
 *   barely runs. Same code, same results; only how V8 compiles it differs.
 * - `NODE_COMPILE_CACHE`: Node's compile cache beside the bundle, so every process after the first
 *   loads the bundle's compiled code instead of compiling it again.
 */
export function builtEntry(name: keyof typeof ENTRIES): { args: string[]; env: Record<string, string> } {
  const dir = process.env[BUILT_SERVER_VARIABLE];
  if (!dir) throw new Error(`${BUILT_SERVER_VARIABLE} is not set: apps/api's globalSetup bundles the server`);
  return { args: ['--liftoff-only', join(dir, `${name}.mjs`)], env: { NODE_COMPILE_CACHE: join(dir, 'compile-cache') } };
}
