// The size of src/, folder by folder: all lines and code lines (neither blank nor comment-only), with
// generated code (src/**/generated/) counted apart. Issue #18 asks for a smaller src/; this is how it is measured.
//   node scripts/src-size.mjs                 the working tree
//   node scripts/src-size.mjs --base REV      the working tree beside a commit (e.g. c36c2b7, before #18's rewrite)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
const COMMENT_OR_BLANK = /^\s*(?:$|\/\/|\/\*|\*)/;

/** Lines of each .ts file under src/ at `rev` (the working tree when undefined), by folder. */
function sizes(rev) {
  const files = (rev ? git('ls-tree', '-r', '--name-only', rev, 'src') : git('ls-files', 'src'))
    .split('\n')
    .filter((f) => f.endsWith('.ts'));
  const by = new Map();
  for (const f of files) {
    const text = rev ? git('show', `${rev}:${f}`) : readFileSync(f, 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const parts = f.split('/');
    const folder = parts.length > 2 ? parts[1] : '(root files)';
    const s = by.get(folder) ?? { all: 0, code: 0, generated: 0 };
    if (parts.includes('generated')) s.generated += lines.length;
    else {
      s.all += lines.length;
      s.code += lines.filter((l) => !COMMENT_OR_BLANK.test(l)).length;
    }
    by.set(folder, s);
  }
  return by;
}

const i = process.argv.indexOf('--base');
const base = i === -1 ? undefined : sizes(process.argv[i + 1]);
const now = sizes(undefined);
const folders = [...new Set([...(base?.keys() ?? []), ...now.keys()])].sort();
const cell = (s) => (s ? `${s.all} / ${s.code}` : '—');
const head = ['folder', ...(base ? [`${process.argv[i + 1]}: all / code`] : []), 'now: all / code', 'generated'];
console.log(`| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
const total = (m) =>
  [...m.values()].reduce(
    (t, s) => ({ all: t.all + s.all, code: t.code + s.code, generated: t.generated + s.generated }),
    { all: 0, code: 0, generated: 0 },
  );
for (const f of [...folders, 'total']) {
  const b = f === 'total' ? base && total(base) : base?.get(f);
  const n = f === 'total' ? total(now) : now.get(f);
  console.log(`| ${[f, ...(base ? [cell(b)] : []), cell(n), n?.generated || ''].join(' | ')} |`);
}
