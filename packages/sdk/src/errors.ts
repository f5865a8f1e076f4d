import type { Problem, ValidationIssue } from '@agentcaller/contracts';

/** The API answered with an error: its RFC 9457 problem details, typed. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  /** Field errors of a 422: `path` is a JSON Pointer such as `/phone`. */
  readonly errors: ValidationIssue[];
  /** On a 409 for an overlapping appointment: the appointment in the way. */
  readonly conflicting_appointment_id: number | undefined;
  /** Seconds to wait, from `Retry-After` (429, 503). */
  readonly retryAfter: number | undefined;
  readonly problem: Problem;

  constructor(problem: Problem, retryAfter?: number) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = 'ApiError';
    this.problem = problem;
    this.status = problem.status;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.conflicting_appointment_id = problem.conflicting_appointment_id;
    this.retryAfter = retryAfter;
  }
}

/** The API could not be reached, or its answer could not be read: nothing is known of the request's fate. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;
