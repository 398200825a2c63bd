import { describe, expect, it } from 'vitest';
import { memoryStore, smallColumns, T0 } from '../helpers.js';

describe('leases', () => {
  it('a live lease of another owner is refused; one held by a dead owner is taken over after expiry', () => {
    const { leases } = memoryStore(smallColumns());
    expect(leases.acquire('ingest', 'daemon-a', 60_000, T0)).toBe(true);
    expect(leases.acquire('ingest', 'daemon-b', 60_000, T0 + 30_000)).toBe(false);
    expect(leases.acquire('ingest', 'daemon-b', 60_000, T0 + 60_000)).toBe(true);
    expect(leases.all()).toMatchObject([{ name: 'ingest', owner: 'daemon-b', expiresAt: T0 + 120_000 }]);
  });

  it('a heartbeat keeps the lease; a lost lease cannot be heartbeaten', () => {
    const { leases } = memoryStore(smallColumns());
    leases.acquire('ingest', 'a', 60_000, T0);
    expect(leases.heartbeat('ingest', 'a', 60_000, T0 + 50_000)).toBe(true);
    expect(leases.acquire('ingest', 'b', 60_000, T0 + 100_000)).toBe(false);
    expect(leases.acquire('ingest', 'b', 60_000, T0 + 110_000)).toBe(true);
    expect(leases.heartbeat('ingest', 'a', 60_000, T0 + 110_000)).toBe(false);
  });

  it('release frees the lease only for its owner; start-up clears a previous life', () => {
    const { leases } = memoryStore(smallColumns());
    leases.acquire('ingest', 'a', 60_000, T0);
    leases.release('ingest', 'b');
    expect(leases.all()).toHaveLength(1);
    leases.release('ingest', 'a');
    expect(leases.all()).toHaveLength(0);
    leases.acquire('janitor', 'old-life', 3_600_000, T0);
    expect(leases.clearAbandoned()).toBe(1);
    expect(leases.acquire('janitor', 'new-life', 60_000, T0 + 1)).toBe(true);
  });
});
