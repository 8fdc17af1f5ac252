/**
 * What every Azure command returns: its result, or an actionable error in words (as
 * Azure/vscode-aks-tools does), instead of a thrown string.
 */
export type Result<T> = { succeeded: true; result: T } | { succeeded: false; error: string; cancelled?: true };

export function succeeded<T>(result: T): Result<T> {
  return { succeeded: true, result };
}

export function failed<T = never>(error: string): Result<T> {
  return { succeeded: false, error };
}

export function cancelled<T = never>(what = 'Cancelled.'): Result<T> {
  return { succeeded: false, error: what, cancelled: true };
}

/** Thrown inside a flow to stop it with a failure already worded for the user. */
export class FlowError extends Error {
  constructor(message: string, readonly isCancel = false) {
    super(message);
    this.name = 'FlowError';
  }
}

/** A user dismissal (Escape on a picker) or a cancelled progress ends the flow this way. */
export class CancelledError extends FlowError {
  constructor(message = 'Cancelled.') {
    super(message, true);
    this.name = 'CancelledError';
  }
}

/** Where a flow writes what it does: the output channel (never a token or a header). */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
