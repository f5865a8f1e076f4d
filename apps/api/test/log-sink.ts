import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * Every log line of every app and server the suite starts is appended to one file, which the
 * global teardown scans for secrets: after the whole suite, no token, password, hash or key.
 */
export const LOG_SINK_VARIABLE = 'AGENTCALLER_TEST_LOG_SINK';

export function appendToSink(text: string): void {
  const path = process.env[LOG_SINK_VARIABLE];
  if (path && text) appendFileSync(path, text);
}

/** Passwords the suites use, which must never appear in a log. */
export const TEST_PASSWORDS = [
  'correct horse battery',
  'changeme123',
  'Sup3r-Secret-Passw0rd',
  'legacy password',
  'a brand new secret',
  'a secret password',
];

const SECRET_SHAPES: [string, RegExp][] = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
  ['an argon2 hash', /\$argon2(id|i|d)\$/],
  ['a bcrypt hash', /\$2[aby]\$\d\d\$/],
  // The secret-scanner pattern of SECURITY.md, "API keys".
  ['an API key', /\bac_[0-9A-Za-z]{43}\b/],
];

export function findSecrets(path: string, literals: string[]): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const found: string[] = [];
  for (const [name, shape] of SECRET_SHAPES) {
    const match = shape.exec(text);
    if (match) found.push(`${name} (${match[0].slice(0, 24)}…)`);
  }
  for (const literal of literals) if (text.includes(literal)) found.push(`the literal ${JSON.stringify(literal.slice(0, 6))}…`);
  return found;
}
