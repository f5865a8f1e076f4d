import { Type, type Static } from 'typebox';
import { Id, ONE_LINE, Timestamp } from './common.js';
import { API_KEY_NAME_MAX } from './limits.js';

/**
 * The format of an API key: `ac_` then 43 characters of base62 (32 random bytes, 256 bits). Secret
 * scanners match `\bac_[0-9A-Za-z]{43}\b` (SECURITY.md, "API keys").
 */
export const API_KEY_PATTERN = '^ac_[0-9A-Za-z]{43}$';
/** How many characters of a key are its public prefix (`ac_` and 8 of the random part). */
export const API_KEY_PREFIX_LENGTH = 11;

export const ApiKeyName = Type.String({
  minLength: 1,
  maxLength: 1024,
  pattern: ONE_LINE,
  description: `one line of 1 to ${API_KEY_NAME_MAX} characters once trimmed: what the key is for`,
  examples: ['phone agent'],
});

export const CreateApiKeyBody = Type.Object({ name: ApiKeyName });
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

const prefix = Type.String({ description: 'the first characters of the key, to recognise it (not a secret)', examples: ['ac_7Hq2xK9p'] });

/** A key as listed: never the key itself. */
export const ApiKey = Type.Object(
  {
    id: Id,
    name: Type.String({ examples: ['phone agent'] }),
    prefix,
    created_at: Timestamp,
    last_used_at: Type.Union([Timestamp, Type.Null()], { description: 'when the key last authenticated a request (updated at most once a minute); null if never' }),
  },
  { title: 'ApiKey' },
);
export type ApiKey = Static<typeof ApiKey>;

/** The answer to creating a key: the only time `key` is shown. */
export const CreatedApiKey = Type.Object(
  {
    id: Id,
    name: Type.String({ examples: ['phone agent'] }),
    key: Type.String({
      pattern: API_KEY_PATTERN,
      description: 'the key, shown this once and stored only as a hash: send it as `Authorization: Bearer ac_…`',
      examples: ['ac_7Hq2xK9pLmN3vB8cR1tY6wE4uI0oP5aS2dF7gH9jK1l'],
    }),
    prefix,
    created_at: Timestamp,
  },
  { title: 'CreatedApiKey' },
);
export type CreatedApiKey = Static<typeof CreatedApiKey>;

export const ApiKeyList = Type.Object({ items: Type.Array(ApiKey) }, { additionalProperties: false, title: 'ApiKeyList' });
export type ApiKeyList = Static<typeof ApiKeyList>;
