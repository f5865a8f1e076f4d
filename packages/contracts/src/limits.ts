/**
 * The numbers the API enforces, as values: the schemas, the server and the web app's forms read
 * them from here, so a limit is stated once.
 */

/** An email address, in characters (the original's `VARCHAR(255)`). */
export const EMAIL_MAX = 255;
/** New passwords: 8 to 72 bytes of UTF-8 (the original's bcrypt limit; never truncated). */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;
/** A client's name after trimming, in characters (the original's `VARCHAR(255)`). */
export const CLIENT_NAME_MAX = 255;
/** An appointment's notes, in characters. */
export const NOTES_MAX = 10_000;
/** Page size of every list: `limit` is 1 to PAGE_LIMIT_MAX, PAGE_LIMIT_DEFAULT when absent. */
export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 20;
/** The longest period `GET /v1/availability` looks at. */
export const MAX_AVAILABILITY_DAYS = 31;
/** Request bodies over this many bytes are refused with 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Bodies of the routes that need no credentials (sign-up, sign-in, browser sign-in, password reset)
 * over this many bytes are refused with 413: they carry an address, a password of at most 72 bytes
 * and a token, and a stranger must not hold large bodies on an instance (each is counted against
 * what the instance receives at once until it is answered).
 */
export const PUBLIC_BODY_LIMIT_BYTES = 8 * 1024;

/** The instants the API takes (PostgreSQL reaches further; nobody books a call before 1900 or after 9999). */
export const INSTANT_RANGE = 'between 1900-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once converted to UTC';
/** An API key's name, in characters once trimmed. */
export const API_KEY_NAME_MAX = 100;
/** Live (unrevoked) API keys one user may hold: the list has no pages. */
export const API_KEYS_PER_USER_MAX = 50;
/** The longest call `POST /v1/calls` records, in seconds (a day). */
export const CALL_DURATION_MAX_SECONDS = 86_400;
/** How far in the future a call's `started_at` may lie (clock skew between the agent and the API). */
export const CALL_START_SKEW_SECONDS = 300;
