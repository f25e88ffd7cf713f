/**
 * The logger a job writes through (`ctx.logger`) and the engine writes its lifecycle lines through, as README
 * "Logs" tells. Powertools Logger has this shape, so an instance of it can be passed as it is; so can any logger
 * whose methods take a message and objects of keys.
 */
export interface JobLogger {
  debug(message: string, ...extra: LogAttributes[]): void;
  info(message: string, ...extra: LogAttributes[]): void;
  warn(message: string, ...extra: LogAttributes[]): void;
  error(message: string, ...extra: LogAttributes[]): void;
}

export type LogAttributes = Readonly<Record<string, unknown>>;

/** Powertools' level names; SILENT writes nothing. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
