import type * as CoreModule from './core';

/**
 * The analysis lives in a bundle of its own (dist/core.js: the core, the rules and `yaml`), loaded
 * the first time it is needed: when the pre-scan (core/scan.ts, in the main bundle) finds a word
 * or kind of identity in an open document or a workspace file, or a command needs it. Activation
 * never pays for it, and a workspace with nothing of identity in it never loads it.
 */
export type Core = typeof CoreModule;

let loaded: Core | undefined;

/** The analysis, if it was loaded. */
export function loadedCore(): Core | undefined {
  return loaded;
}

/** The analysis, loaded now if it was not. */
export function loadCore(): Core {
  // A plain require of the sibling bundle: esbuild leaves './core' external (scripts/bundles.cjs).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, synchronously, from the bundle beside this one
  loaded ??= require('./core') as Core;
  return loaded;
}
