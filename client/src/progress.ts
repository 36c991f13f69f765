// Turning LSP work-done progress (absolute percentages) into VS Code progress reports (increments).
// No vscode import: the unit tests run it under plain node.

export interface WorkDoneValue {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
}

export interface ProgressStep {
  message?: string;
  increment?: number;
}

/** Tracks the last percentage so each report carries the increment since the previous one (never negative). */
export class ProgressTranslator {
  private last = 0;

  step(value: WorkDoneValue): ProgressStep | undefined {
    if (value.kind === 'end') return undefined;
    const step: ProgressStep = {};
    if (value.message) step.message = value.message;
    if (typeof value.percentage === 'number' && Number.isFinite(value.percentage)) {
      const pct = Math.min(100, Math.max(0, value.percentage));
      if (pct > this.last) {
        step.increment = pct - this.last;
        this.last = pct;
      }
    }
    return step.message === undefined && step.increment === undefined ? undefined : step;
  }
}
