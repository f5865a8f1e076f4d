/**
 * Every kind of problem the API answers, once: its stable `type` (a relative URI under
 * `/problems/`), HTTP status, title and meaning. The server sends `type` from here, the SDK carries
 * it as `ApiError.type`, and programs branch on it, never on `detail` (which is for people).
 */
export const PROBLEM_TYPES = {
  'invalid-reset-token': { status: 400, title: 'Bad Request', description: 'The password-reset link is unknown, already used, replaced by a newer one, or expired (links last one hour); ask for a new one.' },
  'bad-request': { status: 400, title: 'Bad Request', description: 'The request cannot be read: a body that is not valid JSON, an unsupported content type, a malformed URL, request line or header, no Host header.' },
  unauthorized: { status: 401, title: 'Unauthorized', description: 'No credentials, or a token that is invalid, expired, revoked or of another account. Sent with `WWW-Authenticate: Bearer`; sign in again.' },
  'invalid-credentials': { status: 401, title: 'Unauthorized', description: 'Sign-in refused: the email or the password is wrong (the same answer for both).' },
  'inactive-account': { status: 403, title: 'Forbidden', description: 'The account is deactivated.' },
  'api-key-not-allowed': { status: 403, title: 'Forbidden', description: 'An API key cannot act on the account itself (password, sign-out, sessions, API keys, administration) nor change the schedule; sign in as the person.' },
  'admin-required': { status: 403, title: 'Forbidden', description: 'Only an administrator may use `/v1/admin/*`.' },
  'csrf-rejected': { status: 403, title: 'Forbidden', description: 'A write with the session cookie came without a valid `X-CSRF-Token` header.' },
  'not-found': { status: 404, title: 'Not Found', description: 'No such resource, or it belongs to another user; also an unknown path.' },
  'method-not-allowed': { status: 405, title: 'Method Not Allowed', description: 'The path exists but not with this method; `Allow` lists those it takes.' },
  'request-timeout': { status: 408, title: 'Request Timeout', description: 'The request did not arrive within REQUEST_TIMEOUT_SECONDS.' },
  'email-taken': { status: 409, title: 'Conflict', description: 'An account with this email exists (compared without regard to case).' },
  'api-key-limit': { status: 409, title: 'Conflict', description: 'The account already holds the most live API keys it may (50); revoke one first.' },
  'last-admin': { status: 409, title: 'Conflict', description: 'The change would leave no active administrator (deactivating, demoting or deleting the last one).' },
  'appointment-conflict': { status: 409, title: 'Conflict', description: 'The appointment overlaps another one of the same calendar, named by `conflicting_appointment_id`.' },
  'payload-too-large': { status: 413, title: 'Payload Too Large', description: 'The request body is over the limit (1 MiB; 8 KiB on the routes that need no credentials: sign-up, sign-in, password reset), or a multipart sign-in form has more than 16 parts.' },
  'expectation-failed': { status: 417, title: 'Expectation Failed', description: 'The request has an `Expect` header other than `100-continue`, which the API does not meet.' },
  'headers-too-large': { status: 431, title: 'Request Header Fields Too Large', description: 'The request line and headers are over 16 KiB together.' },
  validation: { status: 422, title: 'Unprocessable Entity', description: 'The request was read but is invalid; `errors` lists each field (`path` is a JSON Pointer).' },
  throttled: { status: 429, title: 'Too Many Requests', description: 'Too many attempts (sign-in, registration, password change, password reset), too many requests with one API key or invalid keys from one address, or too many heavy reads at once; wait `Retry-After` seconds.' },
  internal: { status: 500, title: 'Internal Server Error', description: 'An unexpected failure; never caused by bad input. The cause is logged, never sent.' },
  'at-capacity': { status: 503, title: 'Service Unavailable', description: 'This instance is at its limit of requests (or of password checks) in flight; retry after `Retry-After` seconds.' },
  'shutting-down': { status: 503, title: 'Service Unavailable', description: 'This instance is stopping; retry (another instance will answer).' },
  'query-timeout': { status: 503, title: 'Service Unavailable', description: 'The request took longer than the statement timeout; narrow it or retry later.' },
  unavailable: { status: 503, title: 'Service Unavailable', description: 'A dependency (the database) does not answer.' },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

/** The `type` of a problem kind: `/problems/<kind>`. */
export type ProblemType = `/problems/${ProblemKind}`;

export const problemType = <K extends ProblemKind>(kind: K): `/problems/${K}` => `/problems/${kind}`;

/** Every problem type with its status, for documentation and clients. */
export const PROBLEM_TYPE_LIST = (Object.keys(PROBLEM_TYPES) as ProblemKind[]).map((kind) => ({ type: problemType(kind), ...PROBLEM_TYPES[kind] }));
