/** A fixed test key (at least 32 bytes, so production-mode checks pass too). */
export const TEST_SECRET = 'agentcaller-test-signing-key-0123456789abcdefghij';
