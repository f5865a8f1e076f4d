import { defineConfig } from 'drizzle-kit';

// `pnpm db:generate --name verb_noun` writes a new SQL migration from the schema; never `push`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './migrations',
});
