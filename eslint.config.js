// One lint configuration for the whole workspace (each package runs `eslint .` from its folder).
// Type-aware: typescript-eslint's recommendedTypeChecked rules, with the type information of each
// package's own tsconfig.json (projectService finds the nearest one for every file).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.data/**', '**/migrations/**', '**/.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // The lint configurations belong to no tsconfig: they get a default project instead.
          allowDefaultProject: ['eslint.config.js', 'apps/web/eslint.config.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Compiled by test/openapi.tools.test.ts against the types it generates from the served document
    // (schema.d.ts, not in git): before that test has run there are no types to check it with.
    files: ['apps/api/test/openapi-client/**'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The lint configurations import plugins whose types the default project cannot resolve; they
    // are configuration, not product code.
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Fastify plugins, hooks and handlers are async by Fastify's contract (an async function is how
    // one says "done when this promise settles", instead of a `done` callback), whether or not the
    // body has anything to await.
    files: ['apps/api/src/plugins/**', 'apps/api/src/routes/**', 'bench/src/hello-server.mjs'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  // Examples are programs run from a terminal (the README's agent session): they report on stdout.
  { files: ['**/examples/**'], rules: { 'no-console': 'off' } },
);
