import { lstatSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { oneLine, SandanError } from '../errors.js';
import { formatPath } from '../model/issue.js';
import { FORMATS } from './formats/report.js';
import { isPackageJson, readJsonFile } from './json-file.js';

/** The name of the configuration file looked for from the working directory up. */
const CONFIG_FILE = 'sandan.config.json';

const path = z.string().min(1);

/**
 * `sandan.config.json` (or the `"sandan"` key of package.json): the options a project passes
 * on every call. Paths are relative to the file they are written in. Command-line flags win.
 */
export const SandanConfigSchema = z
  .object({
    $schema: z.string().optional().describe('The JSON Schema of this file, for editors.'),
    district: z
      .string()
      .regex(/^\d{4}$/, 'a 4-digit customs district or office code')
      .optional()
      .describe('Customs district or office code, e.g. "2900" (--district).'),
    ruleset: path.optional().describe('A user ruleset file (JSON) extending a bundled one (--ruleset).'),
    rates: path.optional().describe('A rate table file (JSON) for the tax check and `sandan tax` (--rates).'),
    positiveList: z
      .union([path, z.array(path)])
      .optional()
      .describe('Positive-list edition files made by `sandan positive-list import` (--positive-list).'),
    goodsRecords: path.optional().describe('Goods records (JSON) to check inventory lines against (--goods-records).'),
    quotaDb: path
      .optional()
      .describe(
        'Quota ledger: a .sqlite file or a postgres:// URL (--quota-db); the secret stays in SANDAN_QUOTA_SECRET.',
      ),
    format: z.enum(FORMATS).optional().describe('Default output format of `sandan validate` (--format).'),
    maxWarnings: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Fail when there are more warnings than this (--max-warnings).'),
  })
  .strict();

type SandanConfig = z.infer<typeof SandanConfigSchema>;

/** A configuration found and read: where from, and its values with paths made absolute. */
interface LoadedConfig {
  file: string;
  config: SandanConfig;
}

/** Checks configuration data; `where` names it in messages (`package.json#sandan`). */
function parseConfig(data: unknown, where: string, base: string): SandanConfig {
  const r = SandanConfigSchema.safeParse(data);
  if (!r.success) {
    const first = r.error.issues[0]!;
    const at = first.path.length ? `$.${formatPath(first.path)}` : '$';
    throw new SandanError('CONFIG_INVALID', `${where}: ${at}: ${first.message}`);
  }
  const c = { ...r.data };
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  if (c.ruleset) c.ruleset = abs(c.ruleset);
  if (c.rates) c.rates = abs(c.rates);
  if (c.goodsRecords) c.goodsRecords = abs(c.goodsRecords);
  if (c.positiveList) c.positiveList = (Array.isArray(c.positiveList) ? c.positiveList : [c.positiveList]).map(abs);
  // A URL in any case, as --quota-db reads it (openQuotaStore): PostgreSQL:// was made a SQLite path under the folder.
  if (c.quotaDb && !/^postgres(ql)?:\/\//i.test(c.quotaDb)) c.quotaDb = abs(c.quotaDb);
  return c;
}

/** Reads a configuration file named with `--config`: a sandan.config.json, or a package.json with a "sandan" key. */
export async function readConfigFile(file: string): Promise<LoadedConfig> {
  return configOf(file, await readJsonFile(file, 'configuration', 'CONFIG_INVALID'));
}

/** The configuration `data`, read from `file`, checked. */
function configOf(file: string, data: unknown): LoadedConfig {
  const isPackage = isPackageJson(file);
  if (isPackage && (data === null || typeof data !== 'object' || !('sandan' in data)))
    throw new SandanError('CONFIG_INVALID', `${file}: has no "sandan" key`);
  const config = isPackage ? (data as { sandan: unknown }).sandan : data;
  return { file, config: parseConfig(config, isPackage ? `${file}#sandan` : file, dirname(resolve(file))) };
}

/**
 * Whether the folder has an entry of this name, a broken link too: existsSync follows the link and said no, so a
 * sandan.config.json whose target had moved was passed over without a word, and the search went on upwards.
 */
function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the configuration by walking up from `cwd` to the filesystem root: the first folder
 * with a sandan.config.json, or a package.json that has a "sandan" key, gives it. A package.json
 * that cannot be read is passed over with a warning: one in a parent folder (a home folder's) is
 * seldom the project's, and failed every run; the warning names it in case it held the settings.
 */
export async function findConfig(
  cwd: string,
  warn: (line: string) => void = () => {},
): Promise<LoadedConfig | undefined> {
  let dir = resolve(cwd);
  for (;;) {
    const own = join(dir, CONFIG_FILE);
    if (present(own)) return readConfigFile(own);
    const pkg = join(dir, 'package.json');
    if (present(pkg)) {
      const data = await readJsonFile(pkg, 'configuration', 'CONFIG_INVALID').catch((e: unknown) => {
        // (one that reads but gives a key of its "sandan" twice is a configuration, with a mistake to fix)
        if (!(e instanceof SandanError) || e.details?.keysGivenTwice !== undefined) throw e;
        warn(
          `sandan: warning: ${oneLine(e.message)}; passed over in the search for a configuration (if its "sandan" key is yours, fix it; --config FILE or a ${CONFIG_FILE} below it stops the search before it)\n`,
        );
      });
      if (data !== null && typeof data === 'object' && 'sandan' in data) return configOf(pkg, data);
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * Reads what a setting names, the option's value when given, else the configuration's: a failure to read what the
 * configuration named says so, for a configuration found by walking up may be one the user forgot.
 */
export async function readSetting<T, R>(
  option: T | undefined,
  key: keyof SandanConfig,
  loaded: LoadedConfig | undefined,
  read: (value: T) => Promise<R>,
): Promise<R | undefined> {
  if (option !== undefined) return read(option);
  const value = loaded?.config[key] as T | undefined;
  if (value === undefined) return undefined;
  try {
    return await read(value);
  } catch (e) {
    if (!(e instanceof SandanError)) throw e;
    const where = isPackageJson(loaded!.file) ? `${loaded!.file}#sandan` : loaded!.file;
    throw new SandanError(e.code, `${e.message} (the "${key}" of ${where})`, {
      cause: e,
      ...(e.details && { details: e.details }),
    });
  }
}

/** The configuration of a run: `--config FILE` when given, else the one found from the working folder, else none. */
export function loadConfig(
  explicit: string | undefined,
  warn: (line: string) => void,
): Promise<LoadedConfig | undefined> {
  return explicit !== undefined ? readConfigFile(explicit) : findConfig(process.cwd(), warn);
}
