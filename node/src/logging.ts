/**
 * Structured logs with winston: JSON by default, a human format on a TTY. Modules below the server take
 * the small `Logger` interface instead of winston itself, so the embedded library stays lean.
 */
import winston from 'winston';

/** The logging surface storage, chain and server code depend on. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** A winston logger writing to stderr (stdout is kept for the CLI's own output). */
export function createLogger(opts: { level?: LogLevel; format?: 'json' | 'human' } = {}): winston.Logger {
  const human = (opts.format ?? (process.stderr.isTTY ? 'human' : 'json')) === 'human';
  return winston.createLogger({
    level: opts.level ?? 'info',
    format: human
      ? winston.format.combine(winston.format.timestamp(), winston.format.colorize(), winston.format.simple())
      : winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** A logger that drops everything (embedded use, tests). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
