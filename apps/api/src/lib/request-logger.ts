// Fastify gives every request its own pino child logger (bound to the request id) before any hook
// runs. Making one costs a few microseconds (pino copies its settings and serializes the bindings),
// and at LOG_LEVEL=warn, what production runs, most requests never write a line. This factory hands
// out a stand-in that makes the real child the first time a line at an enabled level is written, so
// the line is exactly what the child would have written (request id and every binding included).
import type { FastifyBaseLogger, LogLevel } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
type Level = Exclude<LogLevel, 'silent'>;
/** What the stand-in needs of its parent: a pino logger (Fastify's own is one). */
type Parent = FastifyBaseLogger & { isLevelEnabled(level: string): boolean; levels: { values: Record<string, number> }; levelVal: number };

class LazyRequestLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Parent,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
    /** The route's own level (`logLevel`), as a number; undefined: the parent's, whatever it is then. */
    private readonly threshold: number | undefined,
  ) {}

  /** The real child logger, made on first use. */
  private get logger(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, this.options));
  }

  private enabled(level: Level): boolean {
    if (this.real) return (this.real as Parent).isLevelEnabled(level);
    const value = this.parent.levels.values[level]!;
    return value >= (this.threshold ?? this.parent.levelVal);
  }

  get level(): string {
    return this.real?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  /** Writes through the real child only at an enabled level, with the caller's arguments as they came. */
  private write(level: Level, args: unknown[]) {
    if (this.enabled(level)) Reflect.apply(this.logger[level], this.logger, args);
  }

  isLevelEnabled(level: Level): boolean {
    return this.enabled(level);
  }

  fatal(...args: unknown[]) {
    this.write('fatal', args);
  }

  error(...args: unknown[]) {
    this.write('error', args);
  }

  warn(...args: unknown[]) {
    this.write('warn', args);
  }

  info(...args: unknown[]) {
    this.write('info', args);
  }

  debug(...args: unknown[]) {
    this.write('debug', args);
  }

  trace(...args: unknown[]) {
    this.write('trace', args);
  }

  silent() {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

/**
 * Fastify's `childLoggerFactory`: a request's logger that costs nothing until it writes. Route
 * serializers (none of our routes sets any) get the real child at once, as before.
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  const parent = logger as Parent;
  if (options.serializers) return logger.child(bindings, options);
  const threshold = options.level === undefined ? undefined : parent.levels.values[options.level];
  return new LazyRequestLogger(parent, bindings, options, threshold);
}
