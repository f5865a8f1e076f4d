// The generated bad-input suite (test/fuzz/suite.ts) for the auth routes.
import { fuzzSuite } from './fuzz/suite.js';

fuzzSuite('auth');
