import { defineConfig } from 'vitest/config';

// Integration tests share one DynamoDB Local (started in globalSetup, in memory, on a free port);
// every test file creates its own table, so files run in parallel without seeing each other.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
