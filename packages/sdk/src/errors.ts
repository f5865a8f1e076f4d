import type { Problem, ProblemType, ValidationIssue } from '@agentcaller/contracts';

/** A problem as received: the API's own, or `about:blank` for an answer that was not one (a proxy's 502). */
export type ReceivedProblem = Omit<Problem, 'type'> & { type: ProblemType | 'about:blank' };

/** The API answered with an error: its RFC 9457 problem details, typed. */
export class ApiError extends Error {
  /**
   * What kind of problem (`/problems/appointment-conflict`, …; README "Problem types"): branch on
   * this, never on `detail`. `about:blank` when the answer did not come from the API.
   */
  readonly type: ProblemType | 'about:blank';
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  /** Field errors of a 422: `path` is a JSON Pointer such as `/phone`. */
  readonly errors: ValidationIssue[];
  /** On a 409 for an overlapping appointment: the appointment in the way. */
  readonly conflicting_appointment_id: number | undefined;
  /** Seconds to wait, from `Retry-After` (429, 503). */
  readonly retryAfter: number | undefined;
  readonly problem: ReceivedProblem;

  constructor(problem: ReceivedProblem, retryAfter?: number) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = 'ApiError';
    this.problem = problem;
    this.type = problem.type;
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
