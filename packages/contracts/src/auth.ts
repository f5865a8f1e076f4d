import { Type, type Static } from 'typebox';
import { Email, Id, NO_NUL, Timestamp } from './common.js';
import { TimeZone } from './schedule.js';

/** Password limits of the original service: 8 to 72 bytes of UTF-8 (bcrypt's limit). */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

// Characters, not bytes: the byte rule is checked by the API (JSON Schema cannot count bytes).
export const Password = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: `${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes of UTF-8`,
});

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    /** The new account's schedule's zone (the browser's); `UTC` when absent. */
    time_zone: Type.Optional(TimeZone),
  },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBody>;

/** `POST /v1/auth/register` 201 **(seed)**. */
export const RegisteredUser = Type.Object({ id: Id, email: Email }, { title: 'RegisteredUser' });
export type RegisteredUser = Static<typeof RegisteredUser>;

/** OAuth2 password grant form (`application/x-www-form-urlencoded`) **(seed)**. */
export const LoginForm = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 4096, pattern: NO_NUL, description: 'the email address, without NUL characters' }),
    password: Type.String({ minLength: 1, maxLength: 4096 }),
    grant_type: Type.Optional(Type.String({ pattern: '^password$' })),
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
    created_at: Timestamp,
  },
  { title: 'Me' },
);
export type Me = Static<typeof Me>;

/** Browser sign-in: the API answers with an HttpOnly session cookie instead of a readable token. */
export const SessionBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 4096, pattern: NO_NUL, description: 'the email address, without NUL characters' }),
    password: Type.String({ minLength: 1, maxLength: 4096 }),
  },
  { additionalProperties: false, title: 'SessionBody' },
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
  { current_password: Type.String({ minLength: 1, maxLength: 4096 }), new_password: Password },
  { additionalProperties: false, title: 'ChangePasswordBody' },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;
