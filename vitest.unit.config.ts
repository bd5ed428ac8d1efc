import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:unit`: quick feedback while editing. Runs on the sources only: no build, and none
 * of the slow groups, which `npm test` (what CI runs) still covers.
 */
export default defineConfig({
  test: {
    include: base.test?.include ?? ['test/**/*.test.ts'],
    testTimeout: base.test?.testTimeout ?? 30000,
    exclude: [
      '**/node_modules/**',
      // Processes, worker threads and the built dist/ (bin/sandan.js, package self-imports).
      'test/cli/bin.test.ts',
      'test/cli/optional-drivers.test.ts',
      'test/quota/cli.test.ts',
      'test/quota/sqlite.test.ts',
      'test/reconcile/parallel.test.ts',
      'test/docs.test.ts',
      // A PostgreSQL server.
      'test/quota/postgres.test.ts',
      // Journeys, packaging and the TSDoc check build or run the package as users do.
      'test/journeys/**',
      'test/packaging/**',
      'test/tsdoc.test.ts',
      // Fuzzing: thousands of generated declarations.
      'test/fast-check.test.ts',
    ],
  },
});
