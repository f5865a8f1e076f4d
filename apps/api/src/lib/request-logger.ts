// Fastify gives every request its own pino child logger (bound to the request id) before any hook
// runs. Making one costs a few microseconds (pino copies its settings and serializes the bindings),
// and at LOG_LEVEL=warn, what production runs, most requests never write a line. A request's logger
// here is a stand-in that makes the real child the first time a line at an enabled level is written,
// so the line is exactly what the child would have written (request id and every binding included).
//
// The stand-ins come from the root logger's own `child` (lazyLogger below), not from a custom
// `childLoggerFactory`: Fastify checks every logger a custom factory returns, on every request, for
// seven methods (~7,000 instructions of a `GET /v1/auth/me`, 3.5 % of its main thread: issue 15,
// round 14), and skips that check for its default factory, which calls the root's `child`.
import type { FastifyBaseLogger, LogLevel } from 'fastify';
import { pino, type DestinationStream, type LoggerOptions } from 'pino';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
type Level = Exclude<LogLevel, 'silent'>;
/** What the stand-in needs of its parent: a pino logger. */
type Parent = FastifyBaseLogger & { isLevelEnabled(level: string): boolean; levels: { values: Record<string, number> }; levelVal: number };

class LazyRequestLogger {
  constructor(
    private readonly parent: Parent,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
    /** The route's own level (`logLevel`), as a number; undefined: the parent's, whatever it is then. */
    private readonly threshold: number | undefined,
    /** The real logger, once made (or from the start, for a logger made once). */
    private real?: FastifyBaseLogger,
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

  /** Fastify reads the levels to check a route's `logLevel` when the route is added. */
  get levels(): Parent['levels'] {
    return this.parent.levels;
  }

  /** Another stand-in: a child's real logger is a child of this one's, made when it first writes. */
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return lazyChild(this.logger as Parent, bindings, options ?? {});
  }
}

function lazyChild(parent: Parent, bindings: Bindings, options: ChildLoggerOptions): LazyRequestLogger {
  const threshold = options.level === undefined ? undefined : parent.levels.values[options.level];
  return new LazyRequestLogger(parent, bindings, options, threshold);
}

/**
 * The pino logger Fastify is given (`loggerInstance`). Its children are real at once: Fastify makes
 * one, its own root logger, at start-up, so no request pays for it. Their children (every request's
 * logger) are stand-ins that cost nothing until they write. `serializers` is what Fastify reads of
 * an instance to keep its serializers over its own defaults (the request's, here, which logs a URL
 * without its query's values).
 */
class RootLogger extends LazyRequestLogger {
  constructor(
    private readonly root: Parent,
    readonly serializers: LoggerOptions['serializers'],
  ) {
    super(root, {}, {}, undefined, root);
  }

  override child(bindings: Bindings, options: ChildLoggerOptions = {}): FastifyBaseLogger {
    return new LazyRequestLogger(this.root, bindings, options, undefined, this.root.child(bindings, options));
  }
}

/** Fastify's `loggerInstance`: a pino logger made with `options` (see RootLogger). */
export function lazyLogger(options: LoggerOptions, stream?: DestinationStream): FastifyBaseLogger & { serializers: LoggerOptions['serializers'] } {
  const real = (stream ? pino(options, stream) : pino(options)) as unknown as Parent;
  return new RootLogger(real, options.serializers);
}
