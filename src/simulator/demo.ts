// The world of the demo (the daemon without a key): busy enough that new deals keep coming for as
// long as it runs. The simulator's default stream (3,000 books, 6.25 new deals an hour) gives a
// demo daemon one or two new deals an hour after its first minutes, which looks stopped; this one
// gives it about 6 new saved deals an hour, about 3 of them worth showing, after some 90 at start.
// (A larger world keeps a first run busy for long; the kill drill needs one run to drain it.)
// A demo daemon runs for weeks unattended: it keeps the histories of the 100 books it used last
// (the default 800 took about 300 MB once the daemon had looked at that many) and its last 1,000
// calls (the ledger otherwise grows by some 2,000 calls a day, read by nobody).
export const DEMO_WORLD = { seed: 1, catalogSize: 3_000, dealsPerHour: 20, timelineCapacity: 100, ledgerLimit: 1_000 } as const;
