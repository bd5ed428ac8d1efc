import { posix, sep, win32 } from 'node:path';
import { STDIN_LABEL } from './report.js';

/** The environment variables a CI format reads (`GITHUB_WORKSPACE`). */
export type FormatEnv = Readonly<Record<string, string | undefined>>;

/** `file` (resolved from `cwd`) as a path from `root` with `/` separators, or undefined when it lies outside `root`. */
function inside(file: string, windows: boolean, root: string, cwd: string): string | undefined {
  const paths = windows ? win32 : posix;
  const rel = paths.relative(root, paths.resolve(cwd, file));
  // `..` as the first segment is outside root; a file named `..x` inside it is not. (On Windows a file on another
  // drive has no relative path: relative gives the absolute path back.)
  if (rel === '' || rel.split(windows ? /[\\/]/ : '/')[0] === '..' || paths.isAbsolute(rel)) return undefined;
  // (elsewhere a backslash is a character of a file's name, not a separator)
  return windows ? rel.replace(/\\/g, '/') : rel;
}

/**
 * A file label as a path from `root` (the working directory, where CI runs: the checkout), with `/` separators, when
 * the file lies inside it: `/home/runner/work/shop/shop/in/a.json`, `./in/a.json` and `../shop/in/a.json` (run from
 * `shop`) are all `in/a.json`. GitHub places an annotation (`::error file=…`) and a code-scanning alert on a file only
 * by its path from the repository root; any other path showed the finding without its place. A file outside `root`
 * (and `<stdin>`, which names no file) is left as given: no path from the root names it.
 */
export function pathFromRoot(file: string, windows = sep === '\\', root = process.cwd()): string {
  const path = file === STDIN_LABEL ? undefined : inside(file, windows, root, root);
  return path ?? (windows ? file.replace(/\\/g, '/') : file);
}

/** A file as the CI formats name it, and the absolute folder its path is from (none when it is left as given). */
export interface ReportPath {
  path: string;
  root?: string;
  /** Whether `root` is `GITHUB_WORKSPACE` (not the working directory). */
  workspace?: boolean;
}

/**
 * How the CI formats (GitHub annotations, SARIF, JUnit) name a file: from `GITHUB_WORKSPACE`, the checkout GitHub
 * places annotations and alerts in, when it is set and the file lies under it, else from the working directory
 * ({@link pathFromRoot}). A step with `working-directory: shop` (or a script that changes folder first) named
 * `declarations/a.json` where GitHub looks for `shop/declarations/a.json`.
 */
export function reportPath(file: string, env: FormatEnv, windows = sep === '\\', cwd = process.cwd()): ReportPath {
  if (file === STDIN_LABEL) return { path: file };
  const paths = windows ? win32 : posix;
  const ws = env.GITHUB_WORKSPACE;
  if (ws) {
    const root = paths.resolve(cwd, ws);
    const path = inside(file, windows, root, cwd);
    if (path !== undefined) return { path, root, workspace: true };
  }
  const path = inside(file, windows, cwd, cwd);
  return path === undefined ? { path: pathFromRoot(file, windows, cwd) } : { path, root: cwd };
}
