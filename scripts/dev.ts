// Runs the CLI from source: `npx tsx scripts/dev.ts validate examples/hangzhou-1210.json`.
import { main } from '../src/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
