import { checkArgument, describeInput, hasMethods, isRecord } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { SandanError } from '../errors.js';
import type { Issue } from '../model/issue.js';
import { FIELD_RULE_ID, parseDeclaration, UNKNOWN_FIELD_RULE_ID } from '../model/parse.js';
import { readDeclarationBeyond, type ExtensionField } from '../xml/extensions.js';
import { catalogueHelp } from '../xml/receipts.js';
import { rateTablesOf, type RateTable } from '../tax/rates.js';
import { bundledPositiveLists, codeTablesWith, bundledRateTable, defaultRegistry } from './bundled.js';
import type { GoodsRecords } from './goods-records.js';
import type { PositiveList } from './positive-list.js';
import { districtOf, type CodeTables } from './codes.js';
import { districtRuleset, districtRulesetId } from './district-ruleset.js';
import { createContext } from './context.js';
import { codeOf, renderMessage } from './messages.js';
import type { AnnualQuantities } from './positive-list.js';
import { loadRuleset, RulesetRegistry, type ResolvedRuleset, type Ruleset } from './ruleset.js';
import { snapshotLike, type QuotaSnapshot, type RuleServices } from './services.js';
import type { Report, Rule, RuleContext } from './types.js';
import type { Severity } from '../model/issue.js';
import { isoDateOption } from '../time/beijing.js';
import { declarationDate, declarationDateField, NEWEST_POLICY_DATE } from './declaration-date.js';

export { declarationDate };

/** Options of {@link validate} and {@link createValidator}. */
export interface ValidateOptions {
  /** Customs district (`2900`) or office (`2924`) whose ruleset applies; default: from `inventory.customsCode`. */
  district?: string;
  /** Date whose policy applies, `YYYY-MM-DD`; default: the declaration's own date (`inventory.declTime`, else `order.appTime`). */
  at?: string;
  /** A user ruleset (loaded, or raw JSON data) that extends a bundled one; it takes precedence over `district`. */
  ruleset?: Ruleset | Record<string, unknown>;
  /** Rulesets to resolve from; default: the bundled national and district rulesets. */
  registry?: RulesetRegistry;
  /** Code tables by id (`currency`, `customs`, …), each replacing the bundled table of its id; the others stay bundled. */
  codes?: CodeTables;
  /** Rate tables for the tax check, consulted before the bundled seed table (first match wins). */
  rates?: RateTable | readonly RateTable[];
  /** Goods records to check inventory lines against (see loadGoodsRecords). */
  goodsRecords?: GoodsRecords;
  /** Positive-list editions; default: the bundled ones. */
  positiveLists?: readonly PositiveList[];
  /** The buyer's quota used this year (without this declaration), for `limits/annual`; see `validateWithQuota`. */
  quota?: QuotaSnapshot;
  /** What the buyer bought this year per tariff line, for the positive list's per-person caps. */
  annualQuantities?: AnnualQuantities;
  /**
   * @deprecated Use the typed options: `extras.quota` is {@link ValidateOptions.quota} and
   * `extras.annualQuantities` is {@link ValidateOptions.annualQuantities} (those win when both are given).
   */
  extras?: Record<string, unknown>;
}

/** The names of {@link ValidateOptions}: any other key is misuse (a misspelt option was ignored). */
export const VALIDATE_OPTION_NAMES = optionNames<ValidateOptions>({
  district: true,
  at: true,
  ruleset: true,
  registry: true,
  codes: true,
  rates: true,
  goodsRecords: true,
  positiveLists: true,
  quota: true,
  annualQuantities: true,
  extras: true,
});

/** What {@link validate} returns: `valid` is false when any issue is an error. */
export interface ValidationResult {
  valid: boolean;
  issues: Issue[];
  /** The ruleset chain and date the declaration was checked against. */
  ruleset: { chain: string[]; at: string };
}

/**
 * A validator bound to its options, for validating many declarations (streams, services). `at`
 * (YYYY-MM-DD) fixes the policy date of one call; an impossible one throws INVALID_OPTION.
 */
export type Validator = (input: unknown, at?: string) => ValidationResult;

/**
 * Prepares a validator: checks the options and loads the user ruleset once. Throws a
 * SandanError on misuse (bad date, unknown district, broken ruleset); never on bad data.
 */
export function createValidator(options?: ValidateOptions): Validator {
  return validatorFor(options, 'createValidator');
}

/** `fn` names the caller's function in a misuse error (validate and validateStream call this too). */
export function validatorFor(
  options: ValidateOptions | undefined,
  fn: string,
  names: readonly string[] = VALIDATE_OPTION_NAMES,
): Validator {
  const prepared = prepare(options, fn, names);
  return (input, at) => {
    const { resolved, undated } = prepared.resolve(input, at);
    return runRules(input, resolved, prepared, undated);
  };
}

/** Options checked once, and how to find the ruleset and date of a declaration. */
interface PreparedOptions {
  codes: CodeTables;
  /** What rules may use besides the declaration. */
  services: RuleServices;
  /** The ruleset chain and policy in force for a declaration (its district and date unless fixed by options). */
  resolve(input: unknown, at?: string): { resolved: ResolvedRuleset; undated: boolean };
}

/** Checks options once (throws SandanError on misuse) for validating or computing many declarations. */
export function prepare(
  options?: ValidateOptions,
  fn = 'createValidator',
  names: readonly string[] = VALIDATE_OPTION_NAMES,
): PreparedOptions {
  const opts = knownOptions(options, fn, names);
  if (opts.at !== undefined) isoDateOption(opts.at, 'at', 'INVALID_OPTION');
  const codes = codeTablesWith(opts.codes, fn);
  let registry = opts.registry ?? defaultRegistry();
  // (by its methods: a registry of the package's other module format, require beside import, is one too)
  if (!hasMethods(registry, ['get', 'resolve', 'ids']) || !Array.isArray((registry as { rules?: unknown }).rules))
    throw new SandanError(
      'INVALID_OPTION',
      `${fn}: options.registry must be a RulesetRegistry (defaultRegistry()), got ${describeInput(registry)}`,
    );
  let fixedRuleset: string | undefined;
  if (opts.ruleset !== undefined) {
    // (a path, as --ruleset takes: it was "$: Invalid input: expected object, received string")
    if (typeof opts.ruleset === 'string')
      throw new SandanError(
        'INVALID_OPTION',
        `${fn}: options.ruleset is the ruleset's JSON (or loadRuleset(json, defaultRegistry().rules)), got ${describeInput(opts.ruleset)}: read the file first, JSON.parse(await readFile(path, 'utf8')); a bundled district is options.district`,
      );
    const user =
      isRecord(opts.ruleset) && 'data' in opts.ruleset && 'origin' in opts.ruleset
        ? (opts.ruleset as unknown as Ruleset)
        : loadRuleset(opts.ruleset, registry.rules, 'ruleset option');
    registry = new RulesetRegistry(registry.rules, [...registry.ids().map((id) => registry.get(id) as Ruleset), user]);
    fixedRuleset = user.id;
  } else if (opts.district !== undefined) {
    fixedRuleset = districtRuleset(opts.district, { registry, codes }).id;
  }
  const reg = registry;
  const rates = [...rateTablesOf(opts.rates, fn), bundledRateTable()];
  const services: RuleServices = {
    rates,
    positiveLists: opts.positiveLists ?? bundledPositiveLists(),
    goodsRecords: opts.goodsRecords,
    // (a snapshot that is not one, e.g. from untyped JavaScript, is no snapshot: the rules stay silent)
    quota: snapshotLike<QuotaSnapshot>(opts.quota ?? opts.extras?.quota),
    annualQuantities: snapshotLike<AnnualQuantities>(opts.annualQuantities ?? opts.extras?.annualQuantities),
  };
  return {
    codes,
    services,
    resolve(input, at) {
      // The date a caller passes per declaration is an option too: an impossible one is misuse.
      if (at !== undefined) isoDateOption(at, 'at', 'INVALID_OPTION');
      const date = at ?? opts.at ?? declarationDate(input);
      let rulesetId = fixedRuleset;
      if (rulesetId === undefined) {
        const customsCode = (input as { inventory?: { customsCode?: unknown } } | null)?.inventory?.customsCode;
        const district = typeof customsCode === 'string' ? districtOf(codes.customs, customsCode) : undefined;
        rulesetId =
          district !== undefined && reg.get(districtRulesetId(district)) ? districtRulesetId(district) : 'national';
      }
      return { resolved: reg.resolve(rulesetId, date ?? NEWEST_POLICY_DATE), undated: date === undefined };
    },
  };
}

/** The context rules see for one declaration under a resolved ruleset. */
function contextFor(raw: unknown, resolved: ResolvedRuleset, prepared: PreparedOptions): RuleContext {
  // Misspelt names read as the XSD's; the chain's extension fields are checked, not unknown.
  const beyond = readDeclarationBeyond(raw, resolved.extensions, {
    names: UNKNOWN_FIELD_RULE_ID,
    values: FIELD_RULE_ID,
  });
  const input = beyond.doc;
  const parsed = parseDeclaration(input);
  const parseIssues = [
    ...parsed.issues.filter((i) => !(i.code === 'unknown-field' && beyond.extensionPaths.has(i.path))),
    ...beyond.issues,
  ];
  return createContext({
    input,
    declaration: parsed.data,
    at: resolved.at,
    policy: resolved.policy,
    district: resolved.district,
    codes: prepared.codes,
    parseIssues,
    services: prepared.services,
  });
}

/**
 * Runs one rule and renders what it reports: the message of each report filled from its data,
 * the code of that message, the ruleset's severity (unless the rule lowered it to a warning),
 * and, for a code that mirrors a customs rejection, what the receipt catalogue says about it.
 */
export function runRule<O>(rule: Rule<O>, ctx: RuleContext, severity: Severity, options: O): Issue[] {
  const issues: Issue[] = [];
  try {
    for (const r of rule.check(ctx, options)) issues.push(render(rule, r, severity));
  } catch (e) {
    // A rule must never take the whole validation down; report it as a finding.
    return [
      {
        code: 'rule-failed',
        severity: 'error',
        path: '',
        ruleId: rule.id,
        message: { zh: `规则 ${rule.id} 执行失败：${String(e)}`, en: `Rule ${rule.id} failed: ${String(e)}` },
      },
    ];
  }
  return issues;
}

function render(rule: Pick<Rule, 'id' | 'messages'>, r: Report, severity: Severity): Issue {
  const template = rule.messages[r.messageId];
  if (!template) throw new Error(`no message ${JSON.stringify(r.messageId)}`);
  const code = codeOf(rule, r.messageId);
  const issue: Issue = {
    code,
    severity: r.severity === 'warning' ? 'warning' : severity,
    path: r.path,
    message: renderMessage(template, r.data),
    ruleId: rule.id,
  };
  if (r.expected !== undefined) issue.expected = r.expected;
  if (r.actual !== undefined) issue.actual = r.actual;
  // A finding that mirrors a customs rejection says what the receipt catalogue says about it.
  const help = catalogueHelp(code);
  if (help) issue.help = help;
  return issue;
}

/**
 * Why the declaration has no date. A time that is there but no real one (a day-of-year pattern's "20190387041959",
 * 28 March written as day 87) is named as such: "has no appTime" would send the user looking for a missing field.
 */
function undatedMessage(raw: unknown): { zh: string; en: string } {
  const given = (['inventory.declTime', 'order.appTime'] as const).flatMap((path) => {
    const [doc, field] = path.split('.') as [string, string];
    const holder = isRecord(raw) ? raw[doc] : undefined;
    const value = isRecord(holder) ? holder[field] : undefined;
    return value === undefined || value === null || value === '' ? [] : [`${path} ${describeInput(value)}`];
  });
  if (given.length === 0)
    return {
      zh: '声明中没有申报日期或报送时间，按最新政策校验',
      en: 'The declaration has no inventory.declTime or order.appTime, so the newest policy was applied',
    };
  return {
    zh: `声明没有可读的日期：${given.join('、')} 不是真实的日期时间，按最新政策校验`,
    en: `The declaration has no readable date: ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} not a real date and time, so the newest policy was applied`,
  };
}

function runRules(
  raw: unknown,
  resolved: ResolvedRuleset,
  prepared: PreparedOptions,
  undated: boolean,
): ValidationResult {
  const ctx = contextFor(raw, resolved, prepared);
  const issues: Issue[] = [];
  // (an input that is no object has no date to miss: its field-type error is the one to read)
  if (undated && isRecord(raw)) {
    // (the field that should carry the date: an order alone has no inventory.declTime)
    const { path } = declarationDateField(raw);
    issues.push({
      code: 'date-unknown',
      severity: 'warning',
      path,
      ruleId: 'engine',
      message: undatedMessage(raw),
    });
  }
  // (issue by issue: a spread of the 130,000 a file of as many unknown fields gives overflowed the stack)
  for (const { rule, severity, options } of resolved.rules)
    for (const i of runRule(rule, ctx, severity, options)) issues.push(i);
  return {
    valid: !issues.some((i) => i.severity === 'error'),
    issues,
    ruleset: { chain: resolved.chain, at: resolved.at },
  };
}

/**
 * Runs one rule alone on a declaration, as {@link validate} would under these options (the ruleset's severity and
 * options for it, or, for a rule the ruleset leaves off, its defaults; `ruleOptions` replaces the options): each report
 * beside the issue rendered from it, for the rule tester (which checks the data a report carries; `adapt` lets a test
 * stand in for part of the context) and the documented examples; a rule that throws throws here.
 */
export function traceRule(
  rule: Rule,
  input: unknown,
  options: ValidateOptions = {},
  ruleOptions?: Readonly<Record<string, unknown>>,
  adapt: (ctx: RuleContext) => RuleContext = (ctx) => ctx,
): Array<{ report: Report; issue: Issue }> {
  const prepared = prepare(options, 'traceRule');
  const { resolved } = prepared.resolve(input);
  const on = resolved.rules.find((r) => r.rule.id === rule.id);
  const opts = ruleOptions !== undefined ? rule.options.parse(ruleOptions) : on ? on.options : rule.options.parse({});
  const severity = on?.severity ?? rule.defaultSeverity;
  return rule
    .check(adapt(contextFor(input, resolved, prepared)), opts)
    .map((report) => ({ report, issue: render(rule, report, severity) }));
}

/**
 * The fields beyond the XSD that `build` and `parse` should keep under these options: those the
 * district's ruleset (`district`) and the user ruleset (`ruleset`) declare. Throws SandanError
 * on misuse as {@link validate} does (unknown district, broken ruleset).
 */
export function extensionsFor(
  options: Pick<ValidateOptions, 'district' | 'ruleset' | 'registry' | 'codes'>,
): ExtensionField[] {
  checkArgument(options, 'object', 'extensionsFor', 'the options');
  if (options.district === undefined && options.ruleset === undefined) return [];
  return prepare(options, 'extensionsFor').resolve(null, NEWEST_POLICY_DATE).resolved.extensions;
}

/**
 * Validates one declaration against the national ruleset, its district's ruleset and an
 * optional user ruleset. Returns `{ valid, issues }`; never throws on bad business data.
 */
export function validate(input: unknown, options?: ValidateOptions): ValidationResult {
  return validatorFor(options, 'validate')(input);
}
