import { createLogger, type Logger } from '../../shared/log/index.ts';

/** The logger a sandbox or emulator uses when its caller passes none. */
export function defaultLogger(level = 'info'): Logger {
  return createLogger({ level });
}
