import { sharedConfig } from '../vitest.shared.js';

// The repository's own tooling (the test order): no database, no API build.
export default sharedConfig;
