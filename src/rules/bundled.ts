import national from '../../rulesets/national.json';
import countryCodes from '../../rulesets/codes/country.json';
import currencyCodes from '../../rulesets/codes/currency.json';
import customsCodes from '../../rulesets/codes/customs.json';
import id_typeCodes from '../../rulesets/codes/id-type.json';
import packing_typeCodes from '../../rulesets/codes/packing-type.json';
import provinceCodes from '../../rulesets/codes/province.json';
import trade_modeCodes from '../../rulesets/codes/trade-mode.json';
import transport_modeCodes from '../../rulesets/codes/transport-mode.json';
import unitCodes from '../../rulesets/codes/unit.json';
import { loadCodeTable, type CodeTables } from './codes.js';
import { RULES } from './registry.js';
import { loadRuleset, RulesetRegistry, type Ruleset } from './ruleset.js';

/*
 * The rulesets and code tables shipped with sandan, bundled as data at build time so the
 * core needs no file I/O. Each is checked against its schema the first time it is used.
 */

const CODE_TABLE_DATA: Record<string, unknown> = {
  'country': countryCodes,
  'currency': currencyCodes,
  'customs': customsCodes,
  'id-type': id_typeCodes,
  'packing-type': packing_typeCodes,
  'province': provinceCodes,
  'trade-mode': trade_modeCodes,
  'transport-mode': transport_modeCodes,
  'unit': unitCodes,
};

let codes: CodeTables | undefined;
/** The bundled code tables by id, checked at first use. */
export function bundledCodeTables(): CodeTables {
  codes ??= Object.fromEntries(Object.entries(CODE_TABLE_DATA).map(([id, data]) => [id, loadCodeTable(data, `rulesets/codes/${id}.json`)]));
  return codes;
}

let rulesets: Ruleset[] | undefined;
/** The bundled rulesets: national and one per customs district. */
export function bundledRulesets(): Ruleset[] {
  rulesets ??= [loadRuleset(national, RULES, 'rulesets/national.json')];
  return rulesets;
}

let registry: RulesetRegistry | undefined;
/** A registry holding the bundled rulesets. */
export function defaultRegistry(): RulesetRegistry {
  registry ??= new RulesetRegistry(RULES, bundledRulesets());
  return registry;
}
