import pkg from '../../package.json';

/**
 * The address of a page of sandan's documentation (`docsUrl('rules.md')`), for messages and reports: an installed
 * package ships no docs/ folder, so a bare `docs/rules.md` named a file the user does not have.
 */
export function docsUrl(page: string): string {
  return `${pkg.homepage.replace(/#.*$/, '')}/blob/main/docs/${page}`;
}
