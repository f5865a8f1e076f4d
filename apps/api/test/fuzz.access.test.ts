// The generated bad-input suite (test/fuzz/suite.ts) for the API keys and administrators' routes.
import { fuzzSuite } from './fuzz/suite.js';

fuzzSuite('access');
