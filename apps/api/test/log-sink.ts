import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { DEV_MAIL_MESSAGE } from '../src/lib/mailer.js';

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

/** A password-reset link's token (services/password-resets.ts). */
const RESET_TOKEN = /\brst_[A-Za-z0-9_-]{43}/;

/**
 * The one log record that may hold a reset link: a development mail (SMTP_URL unset outside
 * production), written by lib/mailer.ts under this message with the mail in `devMail`. Its link is
 * the deliberate exception (docs/decisions.md); nothing else may appear in it, and no other line may
 * hold a reset token.
 */
export function isDevMailRecord(line: string): boolean {
  try {
    const record = JSON.parse(line) as { msg?: unknown; devMail?: { text?: unknown } };
    return record.msg === DEV_MAIL_MESSAGE && typeof record.devMail?.text === 'string';
  } catch {
    return false;
  }
}

/** The text of a log with the reset links of development mails (and only those) taken out. */
export function withoutDevMailLinks(text: string): string {
  return text
    .split('\n')
    .map((line) => (isDevMailRecord(line) ? line.replace(new RegExp(RESET_TOKEN.source, 'g'), '[dev-mail link]') : line))
    .join('\n');
}

export function findSecrets(path: string, literals: string[]): string[] {
  if (!existsSync(path)) return [];
  const text = withoutDevMailLinks(readFileSync(path, 'utf8'));
  const found: string[] = [];
  const token = RESET_TOKEN.exec(text);
  if (token) found.push(`a password-reset token outside a development mail (${token[0].slice(0, 10)}…)`);
  for (const [name, shape] of SECRET_SHAPES) {
    const match = shape.exec(text);
    if (match) found.push(`${name} (${match[0].slice(0, 24)}…)`);
  }
  for (const literal of literals) if (text.includes(literal)) found.push(`the literal ${JSON.stringify(literal.slice(0, 6))}…`);
  return found;
}
