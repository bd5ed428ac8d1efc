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
    'emulator/index': 'src/emulator/index.ts',
    // Started as a worker thread by reconcileFiles (found next to the chunk that holds it).
    'reconcile/worker': 'src/reconcile/worker.ts',
  },
  format: ['esm', 'cjs'],
  // Every declaration file names Node's types itself: sandan's use X509Certificate, Buffer and node:stream, and
  // TypeScript 6 and later include no @types package unless a file or `types` names it (`tsc --init` writes
  // `"types": []`). Without this a new project failed under skipLibCheck false, or, with it, read them as any.
  dts: { banner: '/// <reference types="node" />' },
  clean: true,
  target: 'node20',
  sourcemap: false,
  splitting: true,
  // import.meta.url in the CommonJS build too (reconcileFiles finds its worker script with it).
  shims: true,
  // Optional database drivers stay outside the bundle and load only when a store is opened.
  external: ['better-sqlite3', 'pg'],
});
