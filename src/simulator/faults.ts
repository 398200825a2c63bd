// Faults on demand, so the daemon's handling of each can be tested against a real HTTP server.
// A fault applies to calls on one path (or all), for its next `count` calls or within a window
// of simulated time [fromMs, untilMs), or until removed. What each kind does:
// - rateLimit: 429 with the token fields (tokensLeft overridable, e.g. -5); consumes nothing.
// - serverError: a 5xx (500 by default) with a JSON body; consumes nothing.
// - delay: answers after `ms` of real time (clients time out in real time); charged as usual.
// - hang: never answers; the connection stays open until the client gives up. Charged, since
//   Keepa did the work and only the answer was lost.
// - truncatedJson: the body is cut in half (the connection dropped mid-answer); charged.
// - htmlBody: an HTML page from a proxy instead of JSON, with status 200 unless `status` is set
//   (a 5xx with an HTML page is `serverError`'s cousin); consumes nothing.
// - nullInStats: `null` inside the stats arrays of every product of the answer.
// - duplicateAsins: each deal page after the first starts with the last deals of the page before.
// - sharedLastUpdate: deals come in groups that share one `lastUpdate` minute.
//   These two shape a whole deal answer: they apply when a query's answer is computed (not when
//   it is served from the 120 s cache), and a `count` counts computed answers.
// - refillRateChange: the refill rate becomes `refillRate` at simulated time `atMs`.

export type FaultPath = '/deal' | '/product' | '/seller' | '/token';

export interface FaultScope {
  path?: FaultPath;
  /** Applies to this many matching calls, then is spent. */
  count?: number;
  /** Simulated-time window, in epoch ms. */
  fromMs?: number;
  untilMs?: number;
}

export type FaultSpec =
  | (FaultScope & { kind: 'rateLimit'; tokensLeft?: number })
  | (FaultScope & { kind: 'serverError'; status?: number })
  | (FaultScope & { kind: 'delay'; ms: number })
  | (FaultScope & { kind: 'hang' })
  | (FaultScope & { kind: 'truncatedJson' })
  | (FaultScope & { kind: 'htmlBody'; status?: number })
  | (FaultScope & { kind: 'nullInStats' })
  | (FaultScope & { kind: 'duplicateAsins'; perPage?: number })
  | (FaultScope & { kind: 'sharedLastUpdate'; groupSize?: number })
  | { kind: 'refillRateChange'; atMs: number; refillRate: number };

export type FaultKind = FaultSpec['kind'];
type RequestFault = Exclude<FaultSpec, { kind: 'refillRateChange' }>;

export interface ActiveFault {
  id: number;
  spec: FaultSpec;
  /** Calls left before it is spent; null = unlimited. */
  remaining: number | null;
}

export class Faults {
  private readonly active: ActiveFault[] = [];
  private nextId = 1;

  constructor(
    private readonly scheduleRefillRate: (atMs: number, refillRate: number) => void,
    initial: readonly FaultSpec[] = [],
  ) {
    for (const spec of initial) this.add(spec);
  }

  /** Adds a fault and returns its id (for `remove`). */
  add(spec: FaultSpec): number {
    const id = this.nextId++;
    if (spec.kind === 'refillRateChange') {
      this.scheduleRefillRate(spec.atMs, spec.refillRate);
      return id;
    }
    if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
      throw new RangeError(`A fault's count must be a positive integer (got ${spec.count})`);
    }
    this.active.push({ id, spec, remaining: spec.count ?? null });
    return id;
  }

  remove(id: number): void {
    const at = this.active.findIndex((f) => f.id === id);
    if (at >= 0) this.active.splice(at, 1);
  }

  clear(): void {
    this.active.length = 0;
  }

  list(): readonly ActiveFault[] {
    return this.active;
  }

  /** The first fault of `kind` that applies to this call, spending one of its calls. */
  take<K extends RequestFault['kind']>(kind: K, path: string, nowMs: number): Extract<RequestFault, { kind: K }> | undefined {
    for (let i = 0; i < this.active.length; i++) {
      const fault = this.active[i];
      if (!fault) continue;
      const spec = fault.spec;
      if (!isKind(spec, kind)) continue;
      if (spec.path !== undefined && spec.path !== path) continue;
      if (spec.fromMs !== undefined && nowMs < spec.fromMs) continue;
      if (spec.untilMs !== undefined && nowMs >= spec.untilMs) continue;
      if (fault.remaining !== null) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.active.splice(i, 1);
      }
      return spec;
    }
    return undefined;
  }
}

function isKind<K extends RequestFault['kind']>(spec: FaultSpec, kind: K): spec is Extract<RequestFault, { kind: K }> {
  return spec.kind === kind;
}
