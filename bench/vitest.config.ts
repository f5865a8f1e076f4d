import { sharedConfig } from '../vitest.shared.js';

// The harness's own logic (judging a run, the paced generator): no database, no API build.
export default sharedConfig;
