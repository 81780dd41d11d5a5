/**
 * A component that owns resources. `start()` and `stop()` are idempotent; `stop()` after a failed or
 * missing `start()` is a no-op; a component may not assume other components have started before its own
 * `start()` is called, only those it declared as requirements.
 */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** True when a value looks like a Service (has start and stop functions). */
export function isService(value: unknown): value is Service {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Service).start === 'function' &&
    typeof (value as Service).stop === 'function'
  );
}
