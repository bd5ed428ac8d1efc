import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = 'test/repo-hygiene.test.ts';

// The team's reference notes sit in a `shared` folder beside the project during development; a clone has no such
// folder, so nothing in the repository may point there. The needles are built here so this file does not hold them.
const folder = ['sha', 'red'].join('');
// Nor may it cite the notes by file name: a user has neither the folder nor the files (cite the primary document).
const notes = ['ceb-messages', 'tax-quota-districts', 'style-anchors'].map((n) => `${n}.${'md'}`);
const NEEDLES = [`../${folder}`, `/work/${folder}`, ...notes];

/**
 * Tracked files plus new files not ignored: what the next commit and a clone hold. Outside a git work tree (an
 * unpacked archive) every file not matched by the simple patterns of .gitignore.
 */
function repositoryFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (git.status === 0) return [...new Set(git.stdout.split('\0').filter(Boolean))];
  const ignore = readFileSync(`${ROOT}.gitignore`, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const ignored = (path: string) => {
    const base = path.slice(path.lastIndexOf('/') + 1);
    return (
      base === '.git' ||
      ignore.some((p) => {
        const q = p.replace(/\/$/, '');
        if (q.startsWith('*')) return base.endsWith(q.slice(1));
        return q.includes('/') ? path === q : base === q;
      })
    );
  };
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (ignored(path)) return [];
      return e.isDirectory() ? walk(path) : e.isFile() ? [path] : [];
    });
  return walk('');
}

/** Lines of a file that contain a needle, as `file:line: text`. */
function hitsIn(file: string, text: string): string[] {
  const hits: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (NEEDLES.some((n) => line.includes(n))) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 160)}`);
  });
  return hits;
}

describe('the repository is self-contained', () => {
  it('finds a reference to the folder, relative or absolute, and nothing else', () => {
    expect(hitsIn('a.ts', `ok\nconst x = '${NEEDLES[0]}/ceb-spec/x.xsd';\nshared notes\n`)).toEqual([
      `a.ts:2: const x = '${NEEDLES[0]}/ceb-spec/x.xsd';`,
    ]);
    expect(hitsIn('b.md', `see /work/${'sha'}red/README.md`)).toHaveLength(1);
    expect(hitsIn('c.md', 'test/fixtures/ceb-spec/README.md, a shared cache')).toEqual([]);
  });

  it('no file refers to the reference folder beside the project', () => {
    const files = repositoryFiles();
    expect(files).toContain('package.json');
    expect(files).toContain('test/fixtures/ceb-spec/README.md');
    const hits = files
      .filter((file) => file !== SELF)
      .flatMap((file) => {
        try {
          return hitsIn(file, readFileSync(`${ROOT}${file}`, 'utf8'));
        } catch {
          return []; // listed by git but deleted in the working tree
        }
      });
    expect(hits, `files that refer to the reference folder beside the project:\n${hits.join('\n')}`).toEqual([]);
  });
});
