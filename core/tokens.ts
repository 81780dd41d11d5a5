import type { InjectionToken } from './di.js';

/**
 * A typed token for the DI container. Built on `Symbol.for`, so a third-party plugin that carries its own
 * copy of core in its node_modules still matches the same slot. Declare it next to its interface, with the
 * same name, so one import brings type and value.
 */
export type Token<T> = InjectionToken<T> & symbol;

export function createToken<T>(name: string): Token<T> {
  return Symbol.for(name) as Token<T>;
}

/** The human name of a token (the string given to createToken). */
export function tokenName(token: symbol): string {
  return token.description ?? token.toString();
}
