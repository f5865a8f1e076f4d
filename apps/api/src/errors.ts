import { STATUS_CODES } from 'node:http';
import type { ValidationIssue } from '@agentcaller/contracts';

/** A domain error that becomes an RFC 9457 problem response with its status. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: { errors?: ValidationIssue[]; conflicting_appointment_id?: number } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }

  get title(): string {
    return STATUS_CODES[this.status] ?? 'Error';
  }
}

/** 401 always carries `WWW-Authenticate: Bearer` (RFC 6750). */
export class UnauthorizedError extends HttpProblem {
  constructor(detail = 'Could not validate credentials') {
    super(401, detail, {}, { 'www-authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends HttpProblem {
  constructor(detail: string) {
    super(403, detail);
  }
}

export class NotFoundError extends HttpProblem {
  constructor(detail = 'Not found') {
    super(404, detail);
  }
}

export class ConflictError extends HttpProblem {
  constructor(detail: string, extra: { conflicting_appointment_id?: number } = {}) {
    super(409, detail, extra);
  }
}

export class ValidationError extends HttpProblem {
  constructor(errors: ValidationIssue[]) {
    super(422, summarize(errors), { errors });
  }
}

export function summarize(errors: ValidationIssue[]): string {
  const [first] = errors;
  if (!first) return 'The request is invalid';
  const where = first.path || 'body';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${where} ${first.message}${more}`;
}
