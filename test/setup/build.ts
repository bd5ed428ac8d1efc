import { execFileSync } from 'node:child_process';

/** Builds dist once before the suite: the bin, the journeys and the package self-import use it. */
export default function setup(): void {
  // `npm test` has just built it.
  if (process.env.SANDAN_DIST_FRESH) return;
  execFileSync('npx', ['tsup', '--silent'], { stdio: 'inherit' });
}
