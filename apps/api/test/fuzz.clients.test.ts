// The generated bad-input suite (test/fuzz/suite.ts) for the clients routes.
import { fuzzSuite } from './fuzz/suite.js';

fuzzSuite('clients');
