/**
 * The logging interface storage accepts. Storage imports no logging library; the server passes a winston
 * child logger (which fits this shape) and the embedded library passes nothing.
 */
export interface StorageLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

const ignore = (): void => {};

/** A logger that drops everything. */
export const silentLogger: StorageLogger = { info: ignore, warn: ignore, error: ignore, debug: ignore };
