import { messageOf } from './errors.js';

/**
 * The one place secrets are taken out of text before it is shown: connection strings, driver
 * error messages, anything an error or a log line may quote. Over-redacting is harmless; a
 * password in a terminal or a CI log is not, so the patterns lean wide.
 */

/** What replaces a secret. */
export const REDACTED = '***';

/**
 * Names of parameters whose value is a secret: `password`, `sslpassword` (the passphrase of
 * `sslkey`), `passphrase`, `pwd`, `secret`, `token`, …, and `sslkey` itself.
 */
const SECRET_NAME = /pass|pwd|secret|token|^sslkey$/i;

const SCHEME_CHAR = /[a-z0-9+.-]/i;
const LETTER = /[a-z]/i;

/**
 * `scheme://user:password@` in a line, each password `***`. It runs to the LAST `@` of its run of
 * non-space characters, as URL parsers (WHATWG, which pg uses) read a raw `@` in the password as
 * part of it; when the run has none and ends before a `/?#`, to the last `@` of the line: pg takes
 * a raw space or tab in the password too, and such a password was shown whole. By hand:
 * `/([a-z][a-z0-9+.-]*:\/\/[^:/?#\s]*):\S*@/gi` tried every letter of a long word as a scheme and
 * every `://` up to the end of its run, quadratic in each (50,000 letters: 2.4 s).
 */
function withoutUserinfoPassword(line: string): string {
  const lastAt = line.lastIndexOf('@');
  let out = '';
  let from = 0;
  let runEnd = -1;
  let runAt = -1;
  let runPath = -1;
  for (let k = line.indexOf('://'); k >= 0 && k < lastAt; k = line.indexOf('://', Math.max(k + 3, from))) {
    // The scheme: from the first letter of the scheme characters before `://`.
    let s = k;
    while (s > from && SCHEME_CHAR.test(line[s - 1]!)) s--;
    while (s < k && !LETTER.test(line[s]!)) s++;
    if (s === k) continue;
    // The user name runs to the first of `:/?#` or a space, which must be the `:` of a password before an `@`.
    let c = k + 3;
    while (c < line.length && !':/?# \t'.includes(line[c]!)) c++;
    if (line[c] !== ':') continue;
    if (c > lastAt) break;
    // The last `@` of the run; else, when the run ends before the host (no `/?#` came), the line's. A run is
    // scanned once (several `://` in one run read the scan of the first).
    if (c >= runEnd) {
      runAt = -1;
      runPath = -1;
      for (runEnd = c + 1; runEnd < line.length && line[runEnd] !== ' ' && line[runEnd] !== '\t'; runEnd++)
        if (line[runEnd] === '@') runAt = runEnd;
        else if ('/?#'.includes(line[runEnd]!)) runPath = runEnd;
    }
    if (runAt < c && runPath > c) continue;
    const at = runAt > c ? runAt : lastAt;
    out += `${line.slice(from, c)}:${REDACTED}@`;
    from = at + 1;
  }
  return out + line.slice(from);
}

/**
 * `?name=value` / `&name=value` / `;name=value` in a URL query; the name may be percent-encoded.
 * The name stops at the next separator (else a long run of them is read from each, quadratic).
 */
const QUERY_PARAM = /([?&;])([^=&#;?\s]+)=([^&#\s]*)/g;

/**
 * `name=value` and `name='quoted value'` in libpq keyword/value strings and free text. The name is
 * its whole run of letters, checked ahead for a secret word: `[a-z_]*(?:pass|…)[a-z_]*` split a
 * long name every way in turn (75,000 letters: 9 s).
 */
const KEYWORD_PARAM =
  /(^|[\s,(])((?=[a-z_]*(?:pass|pwd|secret|token))[a-z_]+|sslkey)(\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,)]*)/gi;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * Text with every secret it may hold replaced by `***`: the password of `scheme://user:pw@host`,
 * the value of a `password=` / `sslpassword=` / … URL query parameter (also percent-encoded
 * names such as `pass%77ord`) and of such a `name=value` pair in free text (libpq keyword/value
 * strings). Everything else is kept, so the host and database stay readable.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/[^\r\n]+/g, withoutUserinfoPassword)
    .replace(QUERY_PARAM, (whole, sep: string, name: string) =>
      SECRET_NAME.test(decodeName(name)) ? `${sep}${name}=${REDACTED}` : whole,
    )
    .replace(KEYWORD_PARAM, (_whole, pre: string, name: string, eq: string) => `${pre}${name}${eq}${REDACTED}`);
}

/**
 * The message of a thrown value, redacted ({@link redactSecrets}); for wrapping a driver error
 * whose message may quote the connection string.
 */
export function redactedMessage(e: unknown): string {
  return redactSecrets(messageOf(e));
}

/**
 * A thrown value fit to keep as an error's `cause`: itself when its message and stack hold no
 * secret, else an Error with the redacted message and stack (and its `code`, for programs).
 */
export function redactedCause(e: unknown): unknown {
  if (!(e instanceof Error)) return typeof e === 'string' ? redactSecrets(e) : e;
  const message = redactSecrets(e.message);
  const stack = e.stack === undefined ? undefined : redactSecrets(e.stack);
  if (message === e.message && stack === e.stack) return e;
  const copy = new Error(message);
  copy.name = e.name;
  if (stack !== undefined) copy.stack = stack;
  const code = (e as { code?: unknown }).code;
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}
