// The generated bad-input suite (test/fuzz/suite.ts) for the calls routes.
import { fuzzSuite } from './fuzz/suite.js';

fuzzSuite('calls');
