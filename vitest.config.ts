import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two files at a time even on 2 cores (vitest's default there is one): the drills spend most
    // of their minutes waiting on real time, and the suite takes 195 s instead of 400 s.
    maxWorkers: 2,
  },
});
