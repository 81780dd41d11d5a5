import { TesseraError } from './errors.js';
import { isService, type Service } from './lifecycle.js';
import type { Logger } from './logger.js';
import { tokenName } from './tokens.js';

/**
 * One startable part of a node: a plugin's provided token or a core service. `create` is called once,
 * in start order, after every unit providing one of `requires` has started.
 */
export interface ServiceUnit {
  readonly name: string;
  readonly provides: readonly symbol[];
  readonly requires: readonly symbol[];
  /** Returns the instance (a Service is started; anything else is only created). */
  create(): unknown;
}

export interface KernelOptions {
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * Orders units by their requirements (stable: ties keep the given order), starts them one by one with
 * a timeout each, and stops them in exact reverse. A failed start stops what already started and
 * rethrows (ERR_KERNEL_START_FAILED / ERR_KERNEL_START_TIMEOUT, with `cause`).
 */
export class Kernel {
  readonly #units: readonly ServiceUnit[];
  readonly #options: KernelOptions;
  #started: { unit: ServiceUnit; service: Service }[] = [];
  #state: 'new' | 'starting' | 'started' | 'stopping' | 'stopped' = 'new';

  constructor(units: readonly ServiceUnit[], options: KernelOptions) {
    this.#units = orderUnits(units);
    this.#options = options;
  }

  /** Unit names in start order. */
  get order(): string[] {
    return this.#units.map((u) => u.name);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new TypeError(`kernel cannot start from state ${this.#state}`);
    this.#state = 'starting';
    const log = this.#options.logger;
    for (const unit of this.#units) {
      let instance: unknown;
      try {
        instance = unit.create();
        if (isService(instance)) {
          log.debug({ service: unit.name }, 'starting');
          await withTimeout(instance.start(), this.#options.startTimeoutMs, unit.name);
          this.#started.push({ unit, service: instance });
          log.debug({ service: unit.name }, 'started');
        }
      } catch (err) {
        log.error({ service: unit.name, err }, 'start failed; rolling back');
        // A service that timed out may be half-started: stop it too (stop is idempotent).
        if (isService(instance) && !this.#started.some((s) => s.service === instance)) {
          this.#started.push({ unit, service: instance });
        }
        await this.#stopAll().catch((stopErr) => log.error({ err: stopErr }, 'rollback stop failed'));
        this.#state = 'stopped';
        if (err instanceof TesseraError && err.code === 'ERR_KERNEL_START_TIMEOUT') throw err;
        throw new TesseraError('ERR_KERNEL_START_FAILED', `${unit.name} failed to start: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    this.#state = 'started';
  }

  /** Stops every started service in exact reverse order; every stop is attempted, errors combined. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    try {
      await this.#stopAll();
    } finally {
      this.#state = 'stopped';
    }
  }

  async #stopAll(): Promise<void> {
    const errors: Error[] = [];
    while (this.#started.length > 0) {
      const { unit, service } = this.#started.pop()!;
      try {
        this.#options.logger.debug({ service: unit.name }, 'stopping');
        await withTimeout(service.stop(), this.#options.stopTimeoutMs, unit.name, 'stop');
      } catch (err) {
        errors.push(new Error(`${unit.name}: ${(err as Error).message}`, { cause: err }));
      }
    }
    if (errors.length > 0) {
      throw new TesseraError('ERR_KERNEL_STOP_FAILED', errors.map((e) => e.message).join('; '), {
        cause: new AggregateError(errors),
      });
    }
  }
}

/** Topological order by requires → provides; stable; a cycle or a missing provider is an error. */
export function orderUnits(units: readonly ServiceUnit[]): ServiceUnit[] {
  const providers = new Map<symbol, ServiceUnit>();
  for (const u of units) for (const t of u.provides) providers.set(t, u);
  for (const u of units) {
    for (const t of u.requires) {
      if (!providers.has(t)) {
        throw new TesseraError(
          'ERR_PLUGIN_MISSING_REQUIREMENT',
          `${u.name} requires ${tokenName(t)}, which nothing provides`,
        );
      }
    }
  }
  const out: ServiceUnit[] = [];
  const placed = new Set<ServiceUnit>();
  const visiting = new Set<ServiceUnit>();
  const visit = (u: ServiceUnit, path: string[]): void => {
    if (placed.has(u)) return;
    if (visiting.has(u)) throw new TypeError(`dependency cycle: ${[...path, u.name].join(' -> ')}`);
    visiting.add(u);
    for (const t of u.requires) {
      const p = providers.get(t)!;
      if (p !== u) visit(p, [...path, u.name]);
    }
    visiting.delete(u);
    placed.add(u);
    out.push(u);
  };
  for (const u of units) visit(u, []);
  return out;
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string, what: 'start' | 'stop' = 'start'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        what === 'start'
          ? new TesseraError('ERR_KERNEL_START_TIMEOUT', `${name} did not start within ${ms} ms`)
          : new Error(`${name} did not stop within ${ms} ms`),
      );
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
