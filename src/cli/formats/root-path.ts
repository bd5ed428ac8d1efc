import { posix, sep, win32 } from 'node:path';

/**
 * A file label as a path from `root` (the working directory, where CI runs: the checkout), with `/` separators, when
 * the file lies inside it: `/home/runner/work/shop/shop/in/a.json`, `./in/a.json` and `../shop/in/a.json` (run from
 * `shop`) are all `in/a.json`. GitHub places an annotation (`::error file=…`) and a code-scanning alert on a file only
 * by its path from the repository root; any other path showed the finding without its place. A file outside `root`
 * (and `<stdin>`, which names no file) is left as given: no path from the root names it.
 */
export function pathFromRoot(file: string, windows = sep === '\\', root = process.cwd()): string {
  const paths = windows ? win32 : posix;
  const inside = paths.relative(root, paths.resolve(root, file));
  // `..` as the first segment is outside root; a file named `..x` inside it is not. (On Windows a file on another
  // drive has no relative path: relative gives the absolute path back.)
  const outside = inside === '' || inside.split(windows ? /[\\/]/ : '/')[0] === '..' || paths.isAbsolute(inside);
  const path = outside ? file : inside;
  // (elsewhere a backslash is a character of a file's name, not a separator)
  return windows ? path.replace(/\\/g, '/') : path;
}
