// Bundles the built server (dist/server.js, from tsc) into one file, dist/server.js again, with the
// code only PGlite needs in dist/chunks/: Node then resolves and reads a handful of files at start
// instead of ~1,000 small ones from node_modules. Module resolution and loading were most of a cold
// start (package.json lookups for every file), and what they allocate was most of the peak heap.
// Left outside: native addons (argon2, bcrypt), PGlite (its wasm and data files sit beside it) and
// swagger-ui (it serves its static folder from its own directory); each is a dependency of this
// package, so node finds it from dist/ (a test checks). `@agentcaller/db` finds its migrations and
// the repository root from its own file: its `import.meta.url` is pointed back at that file.
import { build, type Plugin } from 'esbuild';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const apiDir = dirname(fileURLToPath(import.meta.url));

/** Loaded from node_modules at run time, not bundled. */
export const EXTERNAL_PACKAGES = ['argon2', 'bcrypt', '@electric-sql/pglite', '@fastify/swagger-ui'] as const;

const dbDist = dirname(realpathSync(createRequire(join(apiDir, 'package.json')).resolve('@agentcaller/db')));

// `import.meta.url` in @agentcaller/db's files becomes that file's real URL, found at run time from
// the bundle (through node_modules: the same in the workspace and in `pnpm deploy`'s folder).
const dbImportMetaUrl: Plugin = {
  name: 'db-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dbDist)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const file = relative(dbDist, args.path).split('\\').join('/');
      return { contents: source.replaceAll('import.meta.url', `__dbFileUrl(${JSON.stringify(file)})`), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { dirname as __dirnameOf } from 'node:path';",
  "import { pathToFileURL as __pathToFileURL } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  "const __dbFileUrl = (file) => new URL(file, __pathToFileURL(__dirnameOf(require.resolve('@agentcaller/db')) + '/')).href;",
].join('\n');

/** Bundles `entry` (tsc's dist/server.js) into `outdir`/server.js; returns the files written. */
export async function bundleServer(entry: string, outdir: string): Promise<string[]> {
  rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
  const result = await build({
    entryPoints: [entry],
    outdir,
    entryNames: 'server',
    allowOverwrite: true,
    bundle: true,
    // PGlite's driver (drizzle-orm/pglite imports PGlite) stays in a chunk loaded only when the
    // database is PGlite: a PostgreSQL start does not read it.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: EXTERNAL_PACKAGES.flatMap((name) => [name, `${name}/*`]),
    plugins: [dbImportMetaUrl],
    banner: { js: BANNER },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  return Object.keys(result.metafile.outputs);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleServer(join(apiDir, 'dist', 'server.js'), join(apiDir, 'dist'));
}
