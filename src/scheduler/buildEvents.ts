/**
 * What a package build run reports, as data: the scheduler emits these and
 * renderers (render/buildView.ts) turn them into a live status, plain lines
 * or JSON.
 */
import type { BuildPhase } from '../builder/build.js';
import type { ProtectedFile } from '../installer/protectPlan.js';

export interface FailedPackage {
  readonly name: string;
  readonly version: string;
  readonly phase: BuildPhase | 'prepare' | 'install';
  readonly status: string;
  readonly message: string;
  readonly log: string | null;
}

/** A config file an install kept because the user changed it (or made it). */
export interface KeptConfig extends ProtectedFile {
  readonly name: string;
}

export interface RunSummary {
  readonly built: readonly string[];
  readonly fromCache: readonly string[];
  readonly upToDate: number;
  readonly failed: readonly FailedPackage[];
  readonly skipped: readonly { readonly name: string; readonly missing: string }[];
  /** Failed packages with how many packages they blocked, worst first. */
  readonly damaging: readonly { readonly name: string; readonly blocked: number }[];
  readonly interrupted: boolean;
  readonly seconds: number;
  /** Config files kept, with new versions beside them (PATH.juxnew) to merge. */
  readonly keptConfigs: readonly KeptConfig[];
}

export type BuildEvent =
  | { readonly type: 'start'; readonly total: number; readonly upToDate: number; readonly fromCache: number; readonly jobs: number }
  | { readonly type: 'begin'; readonly name: string; readonly version: string; readonly action: string; readonly fromCache: boolean }
  | { readonly type: 'phase'; readonly name: string; readonly phase: string }
  | { readonly type: 'output'; readonly name: string; readonly phase: string; readonly chunk: Buffer }
  | { readonly type: 'built'; readonly name: string; readonly seconds: number }
  | { readonly type: 'installed'; readonly name: string; readonly version: string; readonly fromCache: boolean }
  | ({ readonly type: 'failed'; readonly tail: readonly string[] } & FailedPackage)
  | { readonly type: 'skipped'; readonly name: string; readonly missing: string }
  | { readonly type: 'warning'; readonly message: string }
  | ({ readonly type: 'kept-config' } & KeptConfig)
  | { readonly type: 'finish'; readonly summary: RunSummary };

export interface BuildReporter {
  emit(e: BuildEvent): void;
}
