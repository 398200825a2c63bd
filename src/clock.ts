// The only source of time. Production uses the system clock; tests, the simulator and the
// benchmark inject a VirtualClock so that days of operation run in seconds.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that moves only when told to. `sleep` advances it at once by the time slept, so a
 * single serial runner on a virtual clock never waits in real time.
 */
export class VirtualClock implements Clock {
  private ms: number;

  constructor(startMs: number) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`VirtualClock cannot go back in time (advance by ${ms} ms)`);
    this.ms += ms;
  }

  set(ms: number): void {
    if (ms < this.ms) throw new RangeError(`VirtualClock cannot go back in time (set to ${ms} < ${this.ms})`);
    this.ms = ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.advance(Math.max(0, ms));
  }
}
