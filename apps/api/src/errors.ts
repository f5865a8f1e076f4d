import type { ValidationIssue } from '@agentcaller/contracts';

/**
 * What went wrong, in the domain's words. Services, libraries and plugins throw these and know
 * nothing of HTTP; the problem plugin (plugins/problem.ts) turns each kind into its status and
 * headers, in one table.
 */
export type ProblemKind =
  | 'unauthenticated' // no valid credentials
  | 'forbidden' // authenticated, not allowed
  | 'not-found' // missing, or someone else's
  | 'conflict' // a rule of the data (taken email, overlapping appointment)
  | 'validation' // readable but invalid input
  | 'throttled' // too many attempts or requests
  | 'unavailable'; // the service cannot answer now (draining, at capacity, database down)

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

export class UnauthorizedError extends DomainError {
  constructor(detail = 'Could not validate credentials') {
    super('unauthenticated', detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string) {
    super('forbidden', detail);
  }
}

export class NotFoundError extends DomainError {
  constructor(detail = 'Not found') {
    super('not-found', detail);
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, extra: { conflicting_appointment_id?: number } = {}) {
    super('conflict', detail, extra);
  }
}

export class ValidationError extends DomainError {
  constructor(errors: ValidationIssue[]) {
    super('validation', summarize(errors), { errors });
  }
}

export class ThrottledError extends DomainError {
  constructor(detail: string, retryAfterSeconds: number) {
    super('throttled', detail, {}, Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}

export class UnavailableError extends DomainError {
  constructor(detail: string, retryAfterSeconds?: number) {
    super('unavailable', detail, {}, retryAfterSeconds);
  }
}

export function summarize(errors: ValidationIssue[]): string {
  const [first] = errors;
  if (!first) return 'The request is invalid';
  const where = first.path || 'body';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${where} ${first.message}${more}`;
}
