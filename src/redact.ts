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

/**
 * `scheme://user:password@`. The password runs to the LAST `@` of the token, as URL parsers
 * (WHATWG, which pg uses) read a raw `@` in the password as part of it.
 */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s]*):\S*@/gi;

/** `?name=value` / `&name=value` / `;name=value` in a URL query; the name may be percent-encoded. */
const QUERY_PARAM = /([?&;])([^=&#\s]+)=([^&#\s]*)/g;

/** `name=value` and `name='quoted value'` in libpq keyword/value strings and free text. */
const KEYWORD_PARAM =
  /(^|[\s,(])([a-z_]*(?:pass|pwd|secret|token)[a-z_]*|sslkey)(\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,)]*)/gi;

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
    .replace(USERINFO, `$1:${REDACTED}@`)
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
