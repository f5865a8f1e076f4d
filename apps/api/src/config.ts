import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { dataDirOf, parseDatabaseUrl, type DatabaseTarget } from '@agentcaller/db';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { PasswordScheme } from './lib/passwords.js';
import type { ThrottleLimits } from './services/throttle.js';

/**
 * Every integer setting, in one table: its range, default and what it counts. The schema, the
 * default and the one-line error of each come from here (SECURITY.md says what each limit defends).
 */
const INTEGER_VARIABLES = {
  PORT: { min: 0, max: 65535, default: 8000, unit: 'a port number' },
  ACCESS_TOKEN_EXPIRE_MINUTES: { min: 1, max: 525600, default: 60, unit: 'a whole number of minutes' },
  THROTTLE_LOGIN_FAILURES: { min: 1, max: 1000, default: 5, unit: 'a whole number' },
  THROTTLE_LOGIN_WINDOW_SECONDS: { min: 1, max: 86400, default: 900, unit: 'a whole number' },
  THROTTLE_SOURCE_ATTEMPTS: { min: 1, max: 10_000_000, default: 60, unit: 'a whole number' },
  THROTTLE_SOURCE_WINDOW_SECONDS: { min: 1, max: 86400, default: 60, unit: 'a whole number' },
  THROTTLE_API_KEY_REQUESTS: { min: 1, max: 10_000_000, default: 600, unit: 'a whole number' },
  THROTTLE_API_KEY_WINDOW_SECONDS: { min: 1, max: 86400, default: 60, unit: 'a whole number' },
  MAX_IN_FLIGHT: { min: 1, max: 1_000_000, default: 1000, unit: 'a whole number' },
  MAX_CONNECTIONS: { min: 1, max: 1_000_000, default: 2000, unit: 'a whole number' },
  REQUEST_TIMEOUT_SECONDS: { min: 1, max: 3600, default: 30, unit: 'a whole number' },
} as const;
type IntegerVariable = keyof typeof INTEGER_VARIABLES;

const integerVariable = (name: IntegerVariable) =>
  Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,9}$',
      description: `must be ${INTEGER_VARIABLES[name].unit} from ${INTEGER_VARIABLES[name].min} to ${INTEGER_VARIABLES[name].max}`,
    }),
  );

/**
 * The environment as the API reads it. Each variable's `description` is the rule printed when
 * its value is bad; a bad value stops start-up with one line per variable.
 */
const Env = Type.Object({
  NODE_ENV: Type.Optional(
    Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
      description: 'must be development, production or test',
    }),
  ),
  PORT: integerVariable('PORT'),
  HOST: Type.Optional(Type.String({ minLength: 1, pattern: '^\\S+$', description: 'must be a host name or address' })),
  DATABASE_URL: Type.Optional(Type.String()),
  SECRET_KEY: Type.Optional(Type.String()),
  ACCESS_TOKEN_EXPIRE_MINUTES: integerVariable('ACCESS_TOKEN_EXPIRE_MINUTES'),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://\\S+$', description: 'must be a redis:// or rediss:// URL' })),
  CORS_ORIGINS: Type.Optional(Type.String({ description: 'must be a comma-separated list of http(s) origins' })),
  DEFAULT_PHONE_REGION: Type.Optional(
    Type.String({ pattern: '^[A-Z]{2}$', description: 'must be a two-letter ISO 3166 region code such as US' }),
  ),
  LOG_LEVEL: Type.Optional(
    Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
      { description: 'must be one of fatal, error, warn, info, debug, trace, silent' },
    ),
  ),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1, description: 'must be a directory path' })),
  PASSWORD_HASH: Type.Optional(
    Type.Union([Type.Literal('argon2id'), Type.Literal('bcrypt')], {
      description: 'must be argon2id, or bcrypt while the original Python service still runs on the same database',
    }),
  ),
  TRUST_PROXY: Type.Optional(Type.String({ description: 'must be a comma-separated list of IP addresses or CIDRs' })),
  THROTTLE_LOGIN_FAILURES: integerVariable('THROTTLE_LOGIN_FAILURES'),
  THROTTLE_LOGIN_WINDOW_SECONDS: integerVariable('THROTTLE_LOGIN_WINDOW_SECONDS'),
  THROTTLE_SOURCE_ATTEMPTS: integerVariable('THROTTLE_SOURCE_ATTEMPTS'),
  THROTTLE_SOURCE_WINDOW_SECONDS: integerVariable('THROTTLE_SOURCE_WINDOW_SECONDS'),
  THROTTLE_API_KEY_REQUESTS: integerVariable('THROTTLE_API_KEY_REQUESTS'),
  THROTTLE_API_KEY_WINDOW_SECONDS: integerVariable('THROTTLE_API_KEY_WINDOW_SECONDS'),
  MAX_IN_FLIGHT: integerVariable('MAX_IN_FLIGHT'),
  MAX_CONNECTIONS: integerVariable('MAX_CONNECTIONS'),
  REQUEST_TIMEOUT_SECONDS: integerVariable('REQUEST_TIMEOUT_SECONDS'),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://\\S+$', description: 'must be an smtp:// (STARTTLS) or smtps:// URL' })),
  MAIL_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\r\\n]*@[^\\r\\n]*$', description: 'must be one sender address, e.g. "AgentCaller <no-reply@example.com>"' })),
  PUBLIC_WEB_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s?#]+$', description: 'must be the http(s) address of the web app, without query or fragment' })),
});
type Env = Static<typeof Env>;

/** Every variable the API reads. */
export const ENV_VARIABLES = Object.keys(Env.properties) as (keyof Env)[];

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  database: DatabaseTarget;
  secretKey: string;
  accessTokenExpireMinutes: number;
  redisUrl: string | undefined;
  corsOrigins: string[];
  defaultPhoneRegion: string;
  logLevel: string;
  dataDir: string;
  /** How new and changed passwords are hashed (bcrypt during a rolling switch-over from the original). */
  passwordHash: PasswordScheme;
  throttle: ThrottleLimits;
  maxInFlight: number;
  /** Open TCP connections per instance; past it a new connection is closed at once, unanswered. */
  maxConnections: number;
  requestTimeoutSeconds: number;
  /** Addresses and CIDRs of the reverse proxies in front of the API; empty: nobody is trusted. */
  trustProxy: string[];
  /** Outgoing mail (password-reset links). */
  mail: MailConfig;
}

export interface MailConfig {
  /**
   * `smtp://` or `smtps://`. Unset in development and tests, each mail is written to the log
   * instead; unset in production, no mail is sent or logged and password reset answers 503.
   */
  smtpUrl: string | undefined;
  from: string;
  /** The web app's address: links in mails start with it (no trailing slash). */
  publicWebUrl: string;
}

/** Thrown with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** A schema's `description` (TypeBox 1 keeps JSON Schema keywords off its static types). */
function descriptionOf(schema: object | undefined): string | undefined {
  const value: unknown = schema && 'description' in schema ? schema.description : undefined;
  return typeof value === 'string' ? value : undefined;
}

const MIN_PRODUCTION_SECRET_BYTES = 32;
// Values from examples and templates that must never sign production tokens.
const PLACEHOLDER_SECRETS = /change[-_ ]?me|changethis|secret[-_ ]?key|^(.)\1*$/i;

/** Why `secret` may not sign production tokens, or undefined when it is strong enough. Never echoes it. */
export function secretKeyProblem(secret: string | undefined): string | undefined {
  if (!secret) return `SECRET_KEY is required in production (at least ${MIN_PRODUCTION_SECRET_BYTES} random bytes)`;
  if (Buffer.byteLength(secret, 'utf8') < MIN_PRODUCTION_SECRET_BYTES || PLACEHOLDER_SECRETS.test(secret)) {
    return `SECRET_KEY is too weak for production: use at least ${MIN_PRODUCTION_SECRET_BYTES} random bytes, e.g. \`openssl rand -base64 48\``;
  }
  return undefined;
}

/**
 * Reads the environment. `NODE_ENV=production` requires a strong `SECRET_KEY`; elsewhere a missing
 * key is generated once and kept in `DATA_DIR/secret_key`, so development tokens survive restarts.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(Env.properties)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const problems = new Map<string, string>();
  // Each variable against its own rule: one Errors() over the whole object stops after its first
  // few errors (a union of literals alone yields one per literal), and the rest went unreported.
  for (const [key, value] of Object.entries(raw)) {
    const schema = Env.properties[key as keyof typeof Env.properties];
    const [error] = Value.Errors(schema, value);
    if (!error) continue;
    const rule = descriptionOf(schema) ?? error.message;
    // A secret (the key, the SMTP password in its URL) is never echoed.
    problems.set(key, key === 'SECRET_KEY' || key === 'SMTP_URL' ? `${key} ${rule}` : `${key} ${rule} (got ${JSON.stringify(raw[key])})`);
  }
  // Keep every variable that passed its own rule, so range checks below still report theirs.
  const env = Object.fromEntries(Object.entries(raw).filter(([key]) => !problems.has(key))) as Env;
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  const integer = (name: IntegerVariable): number => {
    const rule = INTEGER_VARIABLES[name];
    const value = Number(env[name] ?? rule.default);
    if (!problems.has(name) && (value < rule.min || value > rule.max)) {
      problems.set(name, `${name} must be ${rule.unit} from ${rule.min} to ${rule.max} (got ${JSON.stringify(raw[name])})`);
    }
    return value;
  };
  const port = integer('PORT');
  const minutes = integer('ACCESS_TOKEN_EXPIRE_MINUTES');
  const throttle = {
    loginFailures: integer('THROTTLE_LOGIN_FAILURES'),
    loginWindowSeconds: integer('THROTTLE_LOGIN_WINDOW_SECONDS'),
    sourceAttempts: integer('THROTTLE_SOURCE_ATTEMPTS'),
    sourceWindowSeconds: integer('THROTTLE_SOURCE_WINDOW_SECONDS'),
    apiKeyRequests: integer('THROTTLE_API_KEY_REQUESTS'),
    apiKeyWindowSeconds: integer('THROTTLE_API_KEY_WINDOW_SECONDS'),
  };
  const maxInFlight = integer('MAX_IN_FLIGHT');
  const maxConnections = integer('MAX_CONNECTIONS');
  const requestTimeoutSeconds = integer('REQUEST_TIMEOUT_SECONDS');

  // The same folder for every command (pnpm dev, start, db:migrate, db:seed), from any directory.
  const dataDir = dataDirOf({ DATA_DIR: env.DATA_DIR });
  let database: DatabaseTarget = { kind: 'pglite', dataDir: join(dataDir, 'pglite') };
  try {
    database = parseDatabaseUrl(raw.DATABASE_URL, join(dataDir, 'pglite'));
  } catch (err) {
    problems.set('DATABASE_URL', `DATABASE_URL ${(err as Error).message}`);
  }

  if (env.DEFAULT_PHONE_REGION !== undefined && !isSupportedCountry(env.DEFAULT_PHONE_REGION)) {
    problems.set('DEFAULT_PHONE_REGION', `DEFAULT_PHONE_REGION must be a region with a phone numbering plan, such as US or GB (got ${JSON.stringify(raw.DEFAULT_PHONE_REGION)})`);
  }

  const corsOrigins = (env.CORS_ORIGINS ?? 'http://localhost:3002').split(',').map((o) => o.trim()).filter(Boolean);
  const badOrigin = corsOrigins.find((origin) => !/^https?:\/\/[^/\s]+$/.test(origin));
  if (badOrigin !== undefined) problems.set('CORS_ORIGINS', `CORS_ORIGINS must be a comma-separated list of http(s) origins (got ${JSON.stringify(badOrigin)})`);

  // In development the web app's dev and preview servers (Vite) proxy /v1 from the same machine and
  // say who the browser is in X-Forwarded-For: loopback is trusted by default there, or every
  // person signing in through them would be one source, 127.0.0.1, for the throttles. Elsewhere
  // nobody is trusted unless named.
  const trustProxy = (env.TRUST_PROXY ?? (nodeEnv === 'development' ? DEVELOPMENT_TRUST_PROXY : '')).split(',').map((entry) => entry.trim()).filter(Boolean);
  const badProxy = trustProxy.find((entry) => !isAddressOrCidr(entry));
  if (badProxy !== undefined) problems.set('TRUST_PROXY', `TRUST_PROXY must be a comma-separated list of IP addresses or CIDRs (got ${JSON.stringify(badProxy)})`);

  let secretKey = raw.SECRET_KEY;
  if (production) {
    const problem = secretKeyProblem(secretKey);
    if (problem) problems.set('SECRET_KEY', problem);
  }
  const publicWebUrl = (env.PUBLIC_WEB_URL ?? 'http://localhost:3002').replace(/\/+$/, '');

  if (problems.size > 0) throw new ConfigError([...problems.values()]);
  secretKey ??= developmentSecret(dataDir);

  return {
    env: nodeEnv,
    port,
    host: env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    database,
    secretKey,
    accessTokenExpireMinutes: minutes,
    redisUrl: env.REDIS_URL,
    corsOrigins,
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION ?? 'US',
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    dataDir,
    passwordHash: env.PASSWORD_HASH ?? 'argon2id',
    throttle,
    maxInFlight,
    maxConnections,
    requestTimeoutSeconds,
    trustProxy,
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM ?? 'AgentCaller <no-reply@localhost>', publicWebUrl },
  };
}

/** Whom development trusts for X-Forwarded-For by default: the web app's proxy on this machine. */
const DEVELOPMENT_TRUST_PROXY = '127.0.0.1,::1';

/** `10.0.0.1`, `::1`, `10.0.0.0/8`, `fd00::/8`. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'secret_key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  chmodSync(file, 0o600);
  return secret;
}
