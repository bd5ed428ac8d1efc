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
    // The test files share no state (no fake timers or changed globals; the one that mocks a module
    // is left out below): one module graph per worker instead of one per file saves most of the
    // import time.
    isolate: false,
    // Spawns `npx tsx` four times (about 15 s).
    testNamePattern: /^(?!.*builds the same bytes in every host time zone)/,
    exclude: [
      '**/node_modules/**',
      // Processes, worker threads and the built dist/ (bin/sandan.js, package self-imports).
      'test/cli/bin.test.ts',
      // Mocks node:fs/promises (vi.mock), which earlier files in a shared module graph have already loaded.
      'test/cli/expand-inputs.test.ts',
      'test/cli/optional-drivers.test.ts',
      'test/quota/cli.test.ts',
      'test/quota/sqlite.test.ts',
      'test/reconcile/parallel.test.ts',
      'test/reconcile/cli.test.ts',
      'test/docs.test.ts',
      'test/docs-snippets.test.ts',
      // A PostgreSQL server.
      'test/quota/postgres.test.ts',
      // Journeys, packaging and the TSDoc check build or run the package as users do.
      'test/journeys/**',
      'test/packaging/**',
      'test/tsdoc.test.ts',
      // Fuzzing and property tests: thousands of generated declarations and amounts.
      'test/fast-check.test.ts',
      'test/fuzz/**',
      'test/rules/amounts.property.test.ts',
      'test/tax/properties.test.ts',
    ],
  },
});
