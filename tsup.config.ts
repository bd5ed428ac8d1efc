import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'model/index': 'src/model/index.ts',
    'rules/index': 'src/rules/index.ts',
    'tax/index': 'src/tax/index.ts',
    'xml/index': 'src/xml/index.ts',
    'sign/index': 'src/sign/index.ts',
    'quota/index': 'src/quota/index.ts',
    cli: 'src/cli/main.ts',
    'quota/sqlite': 'src/quota/sqlite.ts',
    'quota/postgres': 'src/quota/postgres.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: false,
  splitting: true,
  // Optional database drivers stay outside the bundle and load only when a store is opened.
  external: ['better-sqlite3', 'pg'],
});
