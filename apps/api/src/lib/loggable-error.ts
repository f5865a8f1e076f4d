/**
 * Drizzle's query errors carry the statement's parameters (which may hold a password hash): log
 * only the driver's error and the statement text.
 */
export function loggableError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const query = (err as { query?: unknown }).query;
  const cause = (err as { cause?: unknown }).cause;
  if (typeof query === 'string' && (err as { params?: unknown }).params !== undefined) {
    const driver = cause instanceof Error ? cause : undefined;
    return {
      type: driver?.name ?? err.name,
      message: driver?.message ?? 'database query failed',
      code: (driver as { code?: unknown } | undefined)?.code,
      query,
      stack: driver?.stack,
    };
  }
  return { type: err.name, message: err.message, code: (err as { code?: unknown }).code, stack: err.stack };
}
