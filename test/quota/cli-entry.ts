// Runs the sandan CLI from source in its own process (node --import tsx test/quota/cli-entry.ts …).
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
