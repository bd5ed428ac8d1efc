import { execFileSync } from 'node:child_process';

/** Builds dist once before the suite: the bin, the journeys and the package self-import use it. */
export default function setup(): void {
  execFileSync('npx', ['tsup', '--silent'], { stdio: 'inherit' });
}
