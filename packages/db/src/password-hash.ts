/**
 * How `users.hashed_password` is written: argon2id (the `type` each caller adds from its argon2
 * import) at OWASP's minimum, m = 19 MiB, t = 2, p = 1. The one copy of these numbers: the API,
 * the seeder and the benchmark all hash with it.
 */
export const ARGON2_PARAMETERS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
