// winston JSON logger; children carry {namespace, name, reconcileId} so every line has its context.
import winston from 'winston';

export type Logger = winston.Logger;

/** A JSON logger writing to stderr at `level`. */
export function makeLogger(level: string, defaultMeta: Record<string, string> = {}): Logger {
  return winston.createLogger({
    level,
    defaultMeta,
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
