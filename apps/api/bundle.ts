// Bundles the built server (dist/server.js, from tsc) into one file, dist/server.js again, with the
// code only PGlite needs in dist/chunks/: Node then resolves and reads a handful of files at start
// instead of ~1,000 small ones from node_modules. Module resolution and loading were most of a cold
// start (package.json lookups for every file), and what they allocate was most of the peak heap.
// Left outside: native addons (argon2, bcrypt) and PGlite (its wasm and data files sit beside it);
// each is a dependency of this package, so node finds it from dist/ (a test checks).
// Two bundled packages find files of their own by their location, which is pointed back at the
// package's real folder, found at run time through node_modules (the same in the workspace and in
// `pnpm deploy`'s folder): `@agentcaller/db` its migrations and the repository root (by
// `import.meta.url`), `@fastify/swagger-ui` its static assets for /docs (by `__dirname`). Bundling
// swagger-ui's routes (yaml, @fastify/static) took ~70 ms off a cold start.
import { build, type Plugin } from 'esbuild';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const apiDir = dirname(fileURLToPath(import.meta.url));

/** Loaded from node_modules at run time, not bundled. */
export const EXTERNAL_PACKAGES = ['argon2', 'bcrypt', '@electric-sql/pglite'] as const;

/** Bundled, but their files still read from their folder in node_modules, so they stay dependencies. */
export const LOCATED_PACKAGES = ['@agentcaller/db', '@fastify/swagger-ui'] as const;

const resolveFromApi = createRequire(join(apiDir, 'package.json'));

/** The folder of a package's entry point (where it is resolved from at run time too). */
function entryDir(name: (typeof LOCATED_PACKAGES)[number]): string {
  return dirname(realpathSync(resolveFromApi.resolve(name)));
}

/**
 * In `name`'s files, `token` (its own location) becomes `helper("<file's path from the entry's
 * folder>")`, a call the banner defines.
 */
function ownLocation(name: (typeof LOCATED_PACKAGES)[number], token: string, helper: string): Plugin {
  const root = entryDir(name);
  return {
    name: `own-location:${name}`,
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(root + '/')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(token)) return undefined;
        const file = relative(root, args.path).split('\\').join('/');
        return { contents: source.replaceAll(token, `${helper}(${JSON.stringify(file)})`), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

const BANNER = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { dirname as __dirnameOf, join as __joinPath } from 'node:path';",
  "import { pathToFileURL as __pathToFileURL } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  "const __dbFileUrl = (file) => new URL(file, __pathToFileURL(__dirnameOf(require.resolve('@agentcaller/db')) + '/')).href;",
  "const __swaggerUiDirname = (file) => __dirnameOf(__joinPath(__dirnameOf(require.resolve('@fastify/swagger-ui')), file));",
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
    plugins: [ownLocation('@agentcaller/db', 'import.meta.url', '__dbFileUrl'), ownLocation('@fastify/swagger-ui', '__dirname', '__swaggerUiDirname')],
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
