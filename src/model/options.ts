/*
 * The one check of a public function's options object: its type (optionsObject) and its keys. A misspelt option from
 * JavaScript (`createValidator({ rate })`) was silently ignored, the default taking its place.
 */

import { SandanError, type SandanErrorCode } from '../errors.js';
import { nearestFieldName } from './field-names.js';
import { optionsObject } from './guards.js';

/**
 * Every option name of `T`, as an object of `name: true`: a name the type lacks, or one of its names left out, fails
 * to compile, so the list {@link knownOptions} checks against keeps up with the type.
 */
export function optionNames<T extends object>(names: { readonly [K in keyof T]-?: true }): readonly string[] {
  return Object.keys(names);
}

/**
 * The options object a public function was given ({@link optionsObject}: `{}` when left out), each of its own keys one
 * of `names`. An unknown key is misuse: a SandanError (`code`: INVALID_OPTION unless the area has its own) naming the
 * function and the key, and the option it likely meant (`createValidator: unknown option 'rate' (did you mean
 * 'rates'?)`). A key set to undefined counts too: it is a misspelling all the same. Options left out cost nothing (the
 * parsers and verifyMessage are on hot paths). `within` is the path of a nested options object (`timing`), named with
 * the key (`timing.relased`, did you mean `timing.released`) and in the error's details.
 */
export function knownOptions<T extends object>(
  options: T | undefined,
  fn: string,
  names: readonly string[],
  code: SandanErrorCode = 'INVALID_OPTION',
  within?: string,
): T {
  if (options === undefined) return {} as T;
  const opts = optionsObject(options, within === undefined ? fn : `${fn}: ${within}`, code);
  for (const key of Object.keys(opts)) {
    if (names.includes(key)) continue;
    const near = nearestFieldName(key, names);
    const path = (name: string) => (within === undefined ? name : `${within}.${name}`);
    throw new SandanError(
      code,
      `${fn}: unknown option ${JSON.stringify(path(key))}${near === undefined ? '' : ` (did you mean ${JSON.stringify(path(near))}?)`}; ${within === undefined ? 'its' : `${within}'s`} options are ${names.join(', ')}`,
      { details: { option: path(key), ...(near !== undefined && { didYouMean: path(near) }) } },
    );
  }
  return opts;
}
