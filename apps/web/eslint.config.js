// The workspace's rules plus React's hook rules for this app.
import reactHooks from 'eslint-plugin-react-hooks';
import root from '../../eslint.config.js';

export default [
  ...root,
  { ignores: ['test-results/**'] },
  {
    files: ['src/**/*.{ts,tsx}', 'test/unit/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    // Browser code reads its configuration through import.meta.env, never Node's process.
    files: ['src/**/*.{ts,tsx}'],
    rules: { 'no-restricted-globals': ['error', { name: 'process', message: 'Use import.meta.env in browser code.' }] },
  },
];
