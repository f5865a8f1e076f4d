import type { ProblemKind, ValidationIssue } from '@agentcaller/contracts';

/**
 * What went wrong, in the domain's words. Services, libraries and plugins throw these and know
 * nothing of HTTP; the kind is one of the contracts' problem types (`PROBLEM_TYPES`), and the
 * problem plugin (plugins/problem.ts) turns it into its `type`, status and headers in one place.
 */
export type { ProblemKind };

export interface ProblemExtra {
  errors?: ValidationIssue[];
  conflicting_appointment_id?: number;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extra: ProblemExtra = {},
    /** When to try again (throttled, unavailable); sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

/** No valid credentials (401); `invalid-credentials` is a refused sign-in. */
export class UnauthorizedError extends DomainError {
  constructor(detail = 'Could not validate credentials', kind: 'unauthorized' | 'invalid-credentials' = 'unauthorized') {
    super(kind, detail);
  }
}

/** Authenticated, not allowed (403). */
export class ForbiddenError extends DomainError {
  constructor(kind: 'inactive-account' | 'csrf-rejected' | 'api-key-not-allowed' | 'admin-required', detail: string) {
    super(kind, detail);
  }
}

export class NotFoundError extends DomainError {
  constructor(detail = 'Not found') {
    super('not-found', detail);
  }
}

/** A rule of the data (409). */
export class ConflictError extends DomainError {
  constructor(kind: 'email-taken' | 'appointment-conflict' | 'api-key-limit' | 'last-admin', detail: string, extra: { conflicting_appointment_id?: number } = {}) {
    super(kind, detail, extra);
  }
}

/** A password-reset link that is unknown, used, replaced or expired (400). */
export class InvalidResetTokenError extends DomainError {
  constructor(detail: string) {
    super('invalid-reset-token', detail);
  }
}

export class ValidationError extends DomainError {
  constructor(errors: ValidationIssue[]) {
    super('validation', summarize(errors), { errors });
  }
}

/**
 * A PATCH body must change something: unknown fields were dropped by validation, so a body of none
 * of `fields` (or only unknown ones) is 422 "must change at least one of …" (every PATCH route).
 */
export function requireSomeChange<T extends object>(body: T, fields: readonly (keyof T & string)[]): void {
  if (fields.every((field) => body[field] === undefined)) {
    throw new ValidationError([{ path: '', message: `must change at least one of ${fields.join(', ')}` }]);
  }
}

export class ThrottledError extends DomainError {
  constructor(detail: string, retryAfterSeconds: number) {
    super('throttled', detail, {}, Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

/** The service cannot answer now (503). */
export class UnavailableError extends DomainError {
  constructor(kind: 'at-capacity' | 'shutting-down' | 'unavailable', detail: string, retryAfterSeconds?: number) {
    super(kind, detail, {}, retryAfterSeconds);
  }
}

/** A feature this server is not configured for (password reset without SMTP_URL): expected, said at start. */
export class NotConfiguredError extends UnavailableError {
  constructor(detail: string) {
    super('unavailable', detail);
  }
}

export function summarize(errors: ValidationIssue[]): string {
  const [first] = errors;
  if (!first) return 'The request is invalid';
  const where = first.path || 'body';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${where} ${first.message}${more}`;
}
