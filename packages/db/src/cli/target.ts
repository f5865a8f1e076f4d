import { parseDatabaseUrl, type DatabaseTarget } from '../url.js';

/** DATABASE_URL, or the embedded database under DATA_DIR (`.data/pglite` by default). */
export function cliTarget(): DatabaseTarget {
  return parseDatabaseUrl(process.env.DATABASE_URL, process.env.DATA_DIR ? `${process.env.DATA_DIR}/pglite` : '.data/pglite');
}
