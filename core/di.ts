// Every tsyringe import in Tessera goes through this module: reflect-metadata must load first, or
// tsyringe throws "tsyringe requires a reflect polyfill" at import time.
import 'reflect-metadata';
export { container as rootContainer, inject, injectable, Lifecycle } from 'tsyringe';
export type { DependencyContainer, InjectionToken } from 'tsyringe';
