// The budget of the analysis (everything after parsing): dataflow steps per function and per
// file, counted rather than timed so that a result never depends on the machine's load.
// Past a function's budget its dataflow stops with the worlds found so far; once a file's
// budget is spent its remaining functions are not analysed at all. Either cut is reported
// (function and file named) and the audit of everything else goes on.
import type { FunctionIR } from '../parse/ir';

export interface AnalysisBudget {
  /** Lock-dataflow steps (one CFG node visit in one world) per function. */
  functionSteps: number;
  /** Lock-dataflow steps of all functions of one file. */
  fileSteps: number;
}

/** Far above what any function of the 4.9, 6.1 and 6.12 trees needs (see --profile). */
export const DEFAULT_BUDGET: AnalysisBudget = { functionSteps: 200000, fileSteps: 2000000 };

export interface BudgetCut {
  file: string;
  function: string;
  message: string;
}

export interface FunctionCost {
  file: string;
  function: string;
  line: number;
  ms: number;
  steps: number;
}

export class BudgetLedger {
  /** Steps of each function's latest analysis, per file. */
  private spent = new Map<string, Map<FunctionIR, number>>();
  readonly cuts: BudgetCut[] = [];
  /** The costliest analysis of each function (for --profile). */
  readonly costs = new Map<FunctionIR, FunctionCost>();

  constructor(readonly budget: AnalysisBudget = DEFAULT_BUDGET) {}

  /** Steps `fn` may take now: its own budget, within what the rest of its file left. */
  allowance(fn: FunctionIR): number {
    let others = 0;
    for (const [f, n] of this.spent.get(fn.file) ?? []) if (f !== fn) others += n;
    return Math.max(0, Math.min(this.budget.functionSteps, this.budget.fileSteps - others));
  }

  record(fn: FunctionIR, allowance: number, steps: number, exhausted: boolean, ms: number): void {
    let byFn = this.spent.get(fn.file);
    if (!byFn) this.spent.set(fn.file, (byFn = new Map()));
    byFn.set(fn, steps);
    const prev = this.costs.get(fn);
    if (!prev || prev.ms < ms) this.costs.set(fn, { file: fn.file, function: fn.name, line: fn.startLine, ms, steps });
    if (!exhausted) return;
    const message = allowance < this.budget.functionSteps
      ? `${fn.name}() not analysed${allowance > 0 ? ' fully' : ''}: the analysis budget of its file (${this.budget.fileSteps} dataflow steps) was spent`
      : `${fn.name}() not fully analysed: its lock dataflow stopped at the budget of ${this.budget.functionSteps} steps`;
    this.cuts.push({ file: fn.file, function: fn.name, message });
  }

  /** The slowest function analyses, slowest first. */
  slowest(n: number): FunctionCost[] {
    return [...this.costs.values()].sort((a, b) => b.ms - a.ms || b.steps - a.steps).slice(0, n);
  }
}
