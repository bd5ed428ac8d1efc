import national from '../../rulesets/national.json';
import positiveList2016 from '../../rulesets/positive-list/2016.json';
import positiveList2018 from '../../rulesets/positive-list/2018.json';
import positiveList2019 from '../../rulesets/positive-list/2019.json';
import positiveList2022 from '../../rulesets/positive-list/2022.json';
import { loadPositiveList, type PositiveList } from './positive-list.js';
import district0200 from '../../rulesets/districts/0200.json';
import district2200 from '../../rulesets/districts/2200.json';
import district2300 from '../../rulesets/districts/2300.json';
import district2900 from '../../rulesets/districts/2900.json';
import district3100 from '../../rulesets/districts/3100.json';
import district3500 from '../../rulesets/districts/3500.json';
import district3700 from '../../rulesets/districts/3700.json';
import district4200 from '../../rulesets/districts/4200.json';
import district4600 from '../../rulesets/districts/4600.json';
import district4700 from '../../rulesets/districts/4700.json';
import district5100 from '../../rulesets/districts/5100.json';
import district5200 from '../../rulesets/districts/5200.json';
import district5300 from '../../rulesets/districts/5300.json';
import district5700 from '../../rulesets/districts/5700.json';
import district6400 from '../../rulesets/districts/6400.json';
import district7900 from '../../rulesets/districts/7900.json';
import district8000 from '../../rulesets/districts/8000.json';
import district9000 from '../../rulesets/districts/9000.json';
import cbecRates from '../../rulesets/rates/cbec-rates.json';
import { BUNDLED_RATES_ORIGIN, parseRateTable, type RateTable } from '../tax/rates.js';
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
import { describeInput, SandanError } from '../errors.js';
import { checkArgument, hasMethods } from '../model/guards.js';
import { RULES } from './registry.js';
import { loadRuleset, RulesetRegistry, type Ruleset } from './ruleset.js';

/*
 * The rulesets and code tables shipped with sandan, bundled as data at build time so the
 * core needs no file I/O. Each is checked against its schema the first time it is used.
 */

const CODE_TABLE_DATA: Record<string, unknown> = {
  country: countryCodes,
  currency: currencyCodes,
  customs: customsCodes,
  'id-type': id_typeCodes,
  'packing-type': packing_typeCodes,
  province: provinceCodes,
  'trade-mode': trade_modeCodes,
  'transport-mode': transport_modeCodes,
  unit: unitCodes,
};

let codes: CodeTables | undefined;
/** The bundled code tables by id, checked at first use. */
export function bundledCodeTables(): CodeTables {
  codes ??= Object.fromEntries(
    Object.entries(CODE_TABLE_DATA).map(([id, data]) => [id, loadCodeTable(data, `rulesets/codes/${id}.json`)]),
  );
  return codes;
}

/**
 * The code tables a caller's `codes` option stands for: each table given replaces the bundled one of its id, and the
 * others stay bundled. (A table left out used to be no table, and its fields went unchecked without a word.) Absent or
 * null: the bundled tables.
 * @throws SandanError `INVALID_OPTION` when the option is not an object of code tables, which `fn` is named with (a
 * table that is not one threw a TypeError from inside a rule, a text or an array was taken for no tables).
 */
export function codeTablesWith(given: CodeTables | null | undefined, fn: string): CodeTables {
  if (given === undefined || given === null) return bundledCodeTables();
  checkArgument(given, 'object', fn, 'options.codes');
  for (const [id, table] of Object.entries(given))
    if (!hasMethods(table, ['get']))
      throw new SandanError(
        'INVALID_OPTION',
        `${fn}: options.codes.${id} must be a code table (loadCodeTable), got ${describeInput(table)}`,
      );
  return { ...bundledCodeTables(), ...given };
}

const DISTRICTS: Record<string, unknown> = {
  '0200': district0200,
  '2200': district2200,
  '2300': district2300,
  '2900': district2900,
  '3100': district3100,
  '3500': district3500,
  '3700': district3700,
  '4200': district4200,
  '4600': district4600,
  '4700': district4700,
  '5100': district5100,
  '5200': district5200,
  '5300': district5300,
  '5700': district5700,
  '6400': district6400,
  '7900': district7900,
  '8000': district8000,
  '9000': district9000,
};

let rulesets: Ruleset[] | undefined;
/** The bundled rulesets: national and one per customs district. */
export function bundledRulesets(): Ruleset[] {
  rulesets ??= [
    loadRuleset(national, RULES, 'rulesets/national.json'),
    ...Object.entries(DISTRICTS).map(([code, data]) => loadRuleset(data, RULES, `rulesets/districts/${code}.json`)),
  ];
  return rulesets;
}

let registry: RulesetRegistry | undefined;
/** A registry holding the bundled rulesets. */
export function defaultRegistry(): RulesetRegistry {
  registry ??= new RulesetRegistry(RULES, bundledRulesets());
  return registry;
}

let rates: RateTable | undefined;
/** The bundled seed rate table (rulesets/rates/cbec-rates.json): a few sourced codes, not a tariff. */
export function bundledRateTable(): RateTable {
  rates ??= parseRateTable(cbecRates, BUNDLED_RATES_ORIGIN);
  return rates;
}

let positiveLists: PositiveList[] | undefined;
/** The bundled positive-list editions (each states how complete it is). */
export function bundledPositiveLists(): PositiveList[] {
  positiveLists ??= [
    loadPositiveList(positiveList2016, 'rulesets/positive-list/2016.json'),
    loadPositiveList(positiveList2018, 'rulesets/positive-list/2018.json'),
    loadPositiveList(positiveList2019, 'rulesets/positive-list/2019.json'),
    loadPositiveList(positiveList2022, 'rulesets/positive-list/2022.json'),
  ];
  return positiveLists;
}
