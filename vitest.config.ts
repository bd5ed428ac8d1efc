import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30000,
    // Key generation with OpenSSL and CLI builds in beforeAll hooks can take well over vitest's 10 s default on a
    // loaded 2-core CI machine.
    hookTimeout: 60000,
    globalSetup: ['test/setup/build.ts'],
  },
});
