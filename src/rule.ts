// What a rule module exports (ESLint-style: metadata plus a check over the analysed facts).
import type { Finding, Level, Related, RuleMeta } from './findings';
import type { Span } from './parse/ir';
import type { FunctionAnalysis } from './analysis/lockstate';
import type { CallerStep, Program } from './analysis/program';
import type { Version } from './kernel/api';

export interface ReportInput {
  fa: FunctionAnalysis;
  span: Span;
  message: string;
  callText: string;
  related?: Related[];
  flow?: Related[];
  hint?: string;
  /** Overrides the rule's level for this finding (e.g. a note when callers are unknown). */
  level?: Level;
  rewrite?: Finding['rewrite'];
  /** The caller chains the message cites, innermost caller first. */
  chains?: CallerStep[][];
}

export interface RuleContext {
  program: Program;
  version: Version;
  /** True when the tree has include/linux/mmap_lock.h (v5.8+). */
  hasMmapLockWrappers: boolean;
  report(input: ReportInput): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

export function rel(role: Related['role'], fa: FunctionAnalysis, span: Span, message: string): Related {
  return { role, file: fa.fn.file, span, message };
}
