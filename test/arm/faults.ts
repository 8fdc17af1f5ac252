/** Which requests a fault applies to. */
export interface FaultMatch {
  /** HTTP method (any if absent). */
  method?: string;
  /** Tested against the request path (without the query string). */
  pathPattern: RegExp;
  /** How many matching requests it answers before it is spent; default 1. */
  times?: number;
}

export type FaultStatus = 400 | 401 | 403 | 404 | 409 | 429 | 500;

/** Answer with an ARM error body instead of handling the request. */
export interface StatusFault extends FaultMatch {
  status: FaultStatus;
  /** Sent as `Retry-After` (429 always sends one: default 1). */
  retryAfterSeconds?: number;
  /** Replaces the default `{ error: { code, message } }` body. */
  body?: unknown;
}

/** Destroy the socket without answering, as a network failure would. */
export interface DropFault extends FaultMatch {
  drop: true;
}

export type FaultSpec = StatusFault | DropFault;

/** A registered fault; `hits` counts the requests it answered. */
export interface Fault {
  readonly spec: FaultSpec;
  remaining: number;
  hits: number;
}

/** Faults in the order they were added; the first live match answers a request. */
export class FaultRegistry {
  private readonly faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`fault times must be a positive integer, got ${String(spec.times)}`);
    }
    if (!('drop' in spec) && ![400, 401, 403, 404, 409, 429, 500].includes(spec.status)) {
      throw new Error(`unsupported fault status ${String(spec.status)}`);
    }
    const fault: Fault = { spec, remaining: times, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The fault that answers this request, if any; spends one of its times. */
  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.spec.method === undefined || candidate.spec.method.toUpperCase() === method) &&
        matches(candidate.spec.pathPattern, path),
    );
    if (fault) {
      fault.remaining -= 1;
      fault.hits += 1;
    }
    return fault;
  }

  /** Faults not yet spent. */
  pending(): Fault[] {
    return this.faults.filter((fault) => fault.remaining > 0);
  }
}

function matches(pattern: RegExp, path: string): boolean {
  // A global or sticky RegExp keeps lastIndex between calls; reset so every request is tested afresh.
  pattern.lastIndex = 0;
  return pattern.test(path);
}
