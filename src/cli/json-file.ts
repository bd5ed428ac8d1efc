import { SandanError, messageOf } from '../errors.js';
import { readInputFile, tooLargeFile } from '../io/walk.js';
import { basename } from 'node:path';
import { duplicateKeys, jsonErrorOffset, lineColumnAt } from '../model/json-position.js';
import { codePointName } from '../xml/safety.js';

/**
 * The most a data file (configuration, ruleset, rate table, goods records, positive list, sender
 * profile, emulator settings) may hold. Read whole, it needs several times its size in memory:
 * /dev/zero or a log named by mistake ran until the process was killed.
 */
export const MAX_DATA_FILE_BYTES = 64 * 1024 * 1024;

/**
 * What is wrong with a data file that is not JSON: where, and V8's reason without its quote of the text. V8 quotes up to
 * some 20 characters (`Unexpected token 'G', "GITHUB_TOK"... is not valid JSON`), and a file named by mistake, or by a
 * configuration from a pull request, may hold a secret: only the place and the character are said.
 */
export function jsonSyntaxProblem(text: string, e: unknown): string {
  const v8 = messageOf(e);
  const at = jsonErrorOffset(text);
  // (the token is one character, a quote or a line break as well; text after the value is "after JSON at position N",
  // whose "after JSON" stays)
  const token = /^Unexpected token '(.)'/su.exec(v8)?.[1];
  const reason =
    token === undefined
      ? v8.replace(/(?: in JSON)? at position \d+(?: \(line \d+ column \d+\))?$/, '')
      : `Unexpected token ${tokenShown(token, text, at)}`;
  if (at < 0) return reason;
  const { line, column } = lineColumnAt(text, at);
  return `line ${line}, column ${column}: ${reason}`;
}

/**
 * The character V8 names, quoted when it is printable ASCII, else as U+XXXX: a no-break space printed as ' ' read as a
 * space, a line break broke the message's line, and of a character outside the BMP V8 gives half a surrogate pair.
 */
function tokenShown(token: string, text: string, at: number): string {
  const unit = token.charCodeAt(0);
  const cp = at >= 0 && text.charCodeAt(at) === unit ? (text.codePointAt(at) as number) : unit;
  return cp > 0x20 && cp < 0x7f ? `'${token}'` : codePointName(cp);
}

/** A package.json, by its name (a ci-package.json is a file of its own): of it only the "sandan" key is sandan's. */
export function isPackageJson(path: string): boolean {
  return basename(path) === 'package.json';
}

/**
 * Reads a JSON file the user points at; unreadable, too large or malformed files are SandanErrors (`code`, by default
 * RULESET_INVALID for a ruleset, else INVALID_OPTION).
 */
export async function readJsonFile(path: string, what: string, code?: 'CONFIG_INVALID'): Promise<unknown> {
  const bytes = await readInputFile(path, what, MAX_DATA_FILE_BYTES);
  if (bytes === undefined) throw tooLargeFile(path, MAX_DATA_FILE_BYTES, what);
  return jsonOfFileText(path, bytes.toString('utf8').replace(/^\uFEFF/, ''), what, code);
}

/** {@link readJsonFile} of a file's text already read (its BOM removed): the value, or the same refusals. */
export function jsonOfFileText(path: string, text: string, what: string, code?: 'CONFIG_INVALID'): unknown {
  const errorCode = code ?? (what === 'ruleset' ? 'RULESET_INVALID' : 'INVALID_OPTION');
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (e) {
    throw new SandanError(errorCode, `${path}: not valid JSON: ${jsonSyntaxProblem(text, e)}`, { cause: e });
  }
  // A key given twice: JSON.parse keeps the last value without a word (a rate given twice with two VAT rates, a rule
  // set twice). Of a package.json only sandan's key counts: the rest is npm's.
  const inPackage = isPackageJson(path);
  const twice = duplicateKeys(text, data).filter(
    (d) => !inPackage || d.path === 'sandan' || /^sandan[.[]/.test(d.path),
  );
  if (twice.length > 0) {
    const named = twice.slice(0, 5).map((d) => `${d.path} is given ${d.count} times`);
    if (twice.length > 5) named.push(`${twice.length - 5} more`);
    throw new SandanError(
      errorCode,
      `${path}: ${named.join('; ')}: JSON keeps only the last value of a key, so give each key once`,
      { details: { file: path, keysGivenTwice: twice.map((d) => d.path) } },
    );
  }
  return data;
}
