// The world of the demo (the daemon without a key): big enough and busy enough that new deals keep
// coming for as long as it runs. The simulator's default stream (3,000 books, 6.25 new deals an
// hour) gives a demo daemon a few new deals an hour after its first minutes, which looks stopped;
// this one gives it about 20 new saved deals an hour, about 10 of them worth showing.

export const DEMO_WORLD = { seed: 1, catalogSize: 10_000, dealsPerHour: 100 } as const;
