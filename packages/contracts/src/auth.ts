import { Type, type Static } from 'typebox';
import { Email, Id, NO_NUL, Timestamp } from './common.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from './limits.js';
import { TimeZone } from './schedule.js';

/**
 * A new password. JSON Schema counts characters, the rule counts UTF-8 bytes: 8 bytes are at least
 * 2 characters (4 bytes each at most) and 72 bytes at most 72 characters; the API checks the bytes.
 */
export const Password = Type.String({
  format: 'password',
  minLength: Math.ceil(PASSWORD_MIN_BYTES / 4),
  maxLength: PASSWORD_MAX_BYTES,
  description: `${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes of UTF-8 (accented letters take 2 bytes, emoji 4), no NUL character; never truncated (longer is 422)`,
  examples: ['correct horse battery'],
});

/** A password to check (sign-in, the current one): whatever the original accepted, up to 72 bytes. */
export const SignInPassword = Type.String({
  format: 'password',
  minLength: 1,
  maxLength: PASSWORD_MAX_BYTES,
  description: `at most ${PASSWORD_MAX_BYTES} bytes of UTF-8; a longer one never signs in`,
  examples: ['correct horse battery'],
});

// Request bodies do not say `additionalProperties: false`: unknown fields are dropped, not refused
// (as the original's pydantic models did; docs/decisions.md).
export const RegisterBody = Type.Object({
  email: Email,
  password: Password,
  /** The new account's schedule's zone (the browser's); `UTC` when absent. */
  time_zone: Type.Optional(TimeZone),
});
export type RegisterBody = Static<typeof RegisterBody>;

/** `POST /v1/auth/register` 201 **(seed)**. */
export const RegisteredUser = Type.Object({ id: Id, email: Email }, { title: 'RegisteredUser' });
export type RegisteredUser = Static<typeof RegisteredUser>;

/** OAuth2 password grant form (`application/x-www-form-urlencoded`) **(seed)**. */
export const LoginForm = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 4096, pattern: NO_NUL, description: 'the email address, without NUL characters', examples: ['admin@example.com'] }),
    password: SignInPassword,
    // Empty is absent, as FastAPI's OAuth2PasswordRequestForm read an empty optional field (clients send `grant_type=`).
    grant_type: Type.Optional(Type.String({ pattern: '^(password)?$', examples: ['password'] })),
    scope: Type.Optional(Type.String({ maxLength: 4096 })),
    client_id: Type.Optional(Type.String({ maxLength: 4096 })),
    client_secret: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { title: 'LoginForm' },
);
export type LoginForm = Static<typeof LoginForm>;

/** `POST /v1/auth/login` 200 **(seed)**; `expires_in` (seconds) is an addition. */
export const Token = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ minimum: 1 }),
  },
  { title: 'Token' },
);
export type Token = Static<typeof Token>;

/** `GET /v1/auth/me` 200 **(seed)**: `id` and `email` first, then additions. */
export const Me = Type.Object(
  {
    id: Id,
    email: Email,
    is_active: Type.Boolean(),
    /** An administrator (may use `/v1/admin/*`). */
    is_superuser: Type.Boolean(),
    created_at: Timestamp,
  },
  { title: 'Me' },
);
export type Me = Static<typeof Me>;

/** Browser sign-in: the API answers with an HttpOnly session cookie instead of a readable token. */
export const SessionBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 4096, pattern: NO_NUL, description: 'the email address, without NUL characters', examples: ['admin@example.com'] }),
    password: SignInPassword,
  },
  { title: 'SessionBody' },
);
export type SessionBody = Static<typeof SessionBody>;

/** Cookie names of the browser session (see docs/decisions.md, "Browser sessions"). */
export const SESSION_COOKIE = 'ac_session';
export const CSRF_COOKIE = 'ac_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const Session = Type.Object(
  {
    user: Me,
    /** Also in the readable `ac_csrf` cookie: send it as `X-CSRF-Token` on every write. */
    csrf_token: Type.String(),
    expires_at: Timestamp,
  },
  { title: 'Session' },
);
export type Session = Static<typeof Session>;

/** `PUT /v1/auth/me/password`: every token issued before it is refused afterwards. */
export const ChangePasswordBody = Type.Object(
  { current_password: SignInPassword, new_password: Password },
  { title: 'ChangePasswordBody' },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;

/** `POST /v1/auth/password-reset`: 202 whether or not an account has this address. */
export const PasswordResetBody = Type.Object({ email: Email }, { title: 'PasswordResetBody' });
export type PasswordResetBody = Static<typeof PasswordResetBody>;

/** `POST /v1/auth/password-reset` 202: the same answer whether or not an account has the address. */
export const PasswordResetAccepted = Type.Object({ message: Type.String() }, { title: 'PasswordResetAccepted' });
export type PasswordResetAccepted = Static<typeof PasswordResetAccepted>;

/** The token of a reset link (`PUBLIC_WEB_URL/reset-password#token=…`): `rst_` and 43 base64url characters. */
export const ResetToken = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'the token from the link in the mail (`#token=…`); single use, valid one hour',
  examples: ['rst_9bR2kq0VwXo3a1cYt7mN4pLs8dE6fGhJ2uK5zQ0xWvA'],
});

/** `POST /v1/auth/password-reset/confirm`: every token, session and API key of the user is refused afterwards. */
export const ConfirmPasswordResetBody = Type.Object({ token: ResetToken, new_password: Password }, { title: 'ConfirmPasswordResetBody' });
export type ConfirmPasswordResetBody = Static<typeof ConfirmPasswordResetBody>;
