/**
 * Which ruleset a customs code falls under. Apart from validate.ts so that what needs only this (signing for a
 * district, `sandan sign --district`) loads the bundled rulesets without the validator.
 */
import { SandanError } from '../errors.js';
import { checkArgument, describeInput } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { codeTablesWith, defaultRegistry } from './bundled.js';
import { districtOf, type CodeTables } from './codes.js';
import type { Ruleset, RulesetRegistry } from './ruleset.js';

/** The bundled ruleset id of a customs district. */
export function districtRulesetId(district: string): string {
  checkArgument(district, 'text', 'districtRulesetId', 'the district');
  return `district/${district}`;
}

// (any other key is misuse: a misspelt registry looked the district up in the bundled rulesets)
const DISTRICT_RULESET_OPTION_NAMES = optionNames<NonNullable<Parameters<typeof districtRuleset>[1]>>({
  registry: true,
  codes: true,
});

/**
 * The ruleset of the customs district a code belongs to: the district's own code (`2900`) or one of its offices'
 * (`2991`), found in `registry` (default: the bundled rulesets) through the customs office table of `codes`.
 * @throws SandanError `DISTRICT_UNKNOWN` when no ruleset covers the code (the message lists the districts that have one),
 * `INVALID_OPTION` when the code is not text.
 */
export function districtRuleset(
  customsCode: string,
  options?: { registry?: RulesetRegistry; codes?: CodeTables },
): Ruleset {
  const opts = knownOptions(options, 'districtRuleset', DISTRICT_RULESET_OPTION_NAMES);
  if (typeof customsCode !== 'string')
    throw new SandanError(
      'INVALID_OPTION',
      `district must be a customs code as text, e.g. '2900', got ${describeInput(customsCode)}`,
    );
  const registry = opts.registry ?? defaultRegistry();
  const district = districtOf(codeTablesWith(opts.codes, 'districtRuleset').customs, customsCode);
  const ruleset = district === undefined ? undefined : registry.get(districtRulesetId(district));
  if (ruleset === undefined) {
    const known = registry
      .ids()
      .filter((i) => i.startsWith('district/'))
      .map((i) => i.slice('district/'.length))
      .sort();
    throw new SandanError(
      'DISTRICT_UNKNOWN',
      `Unknown customs district ${JSON.stringify(customsCode)}. Known districts: ${known.length ? known.join(', ') : '(none)'}`,
    );
  }
  return ruleset;
}
