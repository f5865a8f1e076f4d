// The generated bad-input suite (test/fuzz/suite.ts) for the appointments routes.
import { fuzzSuite } from './fuzz/suite.js';

fuzzSuite('appointments');
