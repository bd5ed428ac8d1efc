import { checkArgument, valueIn } from './guards.js';
/*
 * Positions in JSON text, for messages and CI annotations that name a line and column: where the
 * text first stops being JSON (Node's JSON.parse does not always say), and where an issue path
 * such as `order.items[1].qty` is. One walk of the JSON grammar serves both. Pure.
 */

/**
 * The line and column of an offset in `text`, both 1-based: the column counts UTF-16 code units
 * from the line's start, and only LF starts a line (a CR stays part of its line).
 */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  return lineColumnsAt(text, [offset])[0]!;
}

/**
 * The line and column of each offset (as {@link lineColumnAt}), in one pass over the text: an
 * input with thousands of issues is not read again from its start for each (quadratic: 16,000
 * items with a warning each took 9 s to locate).
 */
export function lineColumnsAt(text: string, offsets: readonly number[]): Array<{ line: number; column: number }> {
  const order = offsets.map((_, k) => k).sort((a, b) => offsets[a]! - offsets[b]!);
  const out: Array<{ line: number; column: number }> = new Array(offsets.length);
  let line = 1;
  let lineStart = 0;
  let nl = text.indexOf('\n');
  for (const k of order) {
    const offset = offsets[k]!;
    for (; nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    out[k] = { line, column: offset - lineStart + 1 };
  }
  return out;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * A cursor over JSON text that checks the grammar as it moves: each method moves past one piece
 * or throws the offset (a number) where the text stops being JSON.
 */
class JsonCursor {
  i = 0;
  constructor(readonly text: string) {}

  fail(): never {
    throw this.i;
  }

  /** Past JSON white space: space, tab, LF and CR (a byte-order mark is not one). */
  ws(): void {
    const t = this.text;
    for (; this.i < t.length; this.i++) {
      const c = t.charCodeAt(this.i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
    }
  }

  /** Past the string whose opening quote is at the cursor; returns its value. */
  string(): string {
    const t = this.text;
    const start = ++this.i;
    let escaped = false;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        const raw = t.slice(start, this.i++);
        return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
      }
      if (c < 0x20) this.fail();
      if (c === 0x5c) {
        escaped = true;
        this.i++;
        if (t[this.i] === 'u') {
          if (!HEX4.test(t.slice(this.i + 1, this.i + 5))) this.fail();
          this.i += 5;
        } else if ('"\\/bfnrt'.includes(t[this.i] ?? 'x')) this.i++;
        else this.fail();
      } else this.i++;
    }
    return this.fail();
  }

  /**
   * Past one value. For an object or array, `member` (when given) is called for each member
   * with its key or index and the offset where the member starts (its key's quote, or the
   * element), with the cursor on its value, and must move past that value. Without `member` the
   * value is checked to its end without recursion: a syntax error under thousands of brackets is
   * found where it is, not lost to the stack's limit (it was told at line 1, column 1).
   */
  value(member?: (key: string | number, at: number) => void): void {
    if (member === undefined) return void this.checked();
    const t = this.text;
    this.ws();
    const c = t[this.i];
    if (c !== '{' && c !== '[') return void this.scalar();
    const close = c === '{' ? '}' : ']';
    this.i++;
    this.ws();
    if (t[this.i] === close) return void this.i++;
    for (let n = 0; ; n++) {
      this.ws();
      const at = this.i;
      member(c === '{' ? this.key() : n, at);
      this.ws();
      if (t[this.i] === ',') this.i++;
      else if (t[this.i] === close) return void this.i++;
      else this.fail();
    }
  }

  /** Past one value, checked, its open objects and arrays on a stack of their closing brackets. */
  private checked(): void {
    const t = this.text;
    const open: string[] = [];
    for (;;) {
      this.ws();
      const c = t[this.i];
      if (c === '{' || c === '[') {
        this.i++;
        this.ws();
        const close = c === '{' ? '}' : ']';
        if (t[this.i] !== close) {
          open.push(close);
          if (c === '{') this.key();
          continue;
        }
        this.i++;
      } else this.scalar();
      // After a value: the next member, or the ends of the containers it closes.
      for (;;) {
        const close = open.at(-1);
        if (close === undefined) return;
        this.ws();
        if (t[this.i] === close) {
          this.i++;
          open.pop();
          continue;
        }
        if (t[this.i] !== ',') this.fail();
        this.i++;
        if (close === '}') {
          this.ws();
          this.key();
        }
        break;
      }
    }
  }

  /** Past a member's key and its colon (white space before it skipped already); returns the key. */
  private key(): string {
    if (this.text[this.i] !== '"') this.fail();
    const key = this.string();
    this.ws();
    if (this.text[this.i] !== ':') this.fail();
    this.i++;
    return key;
  }

  /** Past a string, number or literal at the cursor. */
  private scalar(): void {
    const t = this.text;
    const c = t[this.i];
    if (c === '"') this.string();
    else if (c === 't') this.literal('true');
    else if (c === 'f') this.literal('false');
    else if (c === 'n') this.literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = this.i;
      const m = NUMBER.exec(t);
      if (!m) this.fail();
      this.i += m[0].length;
    } else this.fail();
  }

  /**
   * Past one value of text that is JSON (JSON.parse read it), unchecked: strings are jumped over
   * with indexOf. What the locator does with the members no path names; text that is not JSON
   * ends it (the offset is thrown) instead of looping.
   */
  skip(): void {
    const t = this.text;
    this.ws();
    let depth = 0;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        const end = endOfString(t, this.i);
        if (end === -1) this.fail();
        this.i = end;
        if (depth === 0) return;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
        this.i++;
      } else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) return;
        this.i++;
        if (--depth === 0) return;
      } else if (Number.isNaN(c)) {
        this.fail();
      } else if (depth === 0) {
        // A number or a literal: up to what ends it.
        while (this.i < t.length && !',}] \t\n\r'.includes(t[this.i]!)) this.i++;
        return;
      } else this.i++;
    }
  }

  private literal(word: string): void {
    for (const ch of word) {
      if (this.text[this.i] !== ch) this.fail();
      this.i++;
    }
  }
}

/**
 * The offset just past the string whose opening quote is at `open`, found with indexOf (the string is not checked), or
 * -1 when no quote closes it.
 */
export function endOfString(text: string, open: number): number {
  for (let q = text.indexOf('"', open + 1); q !== -1; q = text.indexOf('"', q + 1)) {
    // A quote after an odd number of backslashes is part of the string.
    let b = q - 1;
    while (text.charCodeAt(b) === 0x5c) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
  }
  return -1;
}

/**
 * The offset where JSON text first goes wrong, or -1 when it is JSON. For messages that name the
 * line and column (see {@link lineColumnAt}); called after JSON.parse has failed.
 */
export function jsonErrorOffset(text: string): number {
  const c = new JsonCursor(text);
  try {
    c.value();
    c.ws();
    return c.i < text.length ? c.i : -1;
  } catch (pos) {
    return typeof pos === 'number' ? pos : 0;
  }
}

/**
 * The text of each member of a JSON object as written, by key (of a key given twice, the last, as JSON.parse reads
 * it): what was signed where a signature covers JSON text, not a value written again. `text` is an object JSON.parse
 * has read.
 */
export function jsonMemberTexts(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const c = new JsonCursor(text);
  c.value((key) => {
    c.ws();
    const start = c.i;
    c.skip();
    out.set(String(key), text.slice(start, c.i));
  });
  return out;
}

/** The issue path of a member or element below `path`: `order.items[1]`, as formatPath writes a path. */
export const memberPath = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

/** The members of every object in a parsed value, without recursion. */
function memberCount(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) for (const e of v) stack.push(e);
    else
      for (const k in v) {
        n++;
        stack.push((v as Record<string, unknown>)[k]);
      }
  }
  return n;
}

/**
 * The keys an object of JSON text gives more than once, by path (`order.items[1].qty`, as issue paths) with the
 * times given, in the order their second one comes: JSON.parse keeps the last value and drops the others without a
 * word. `value` is what JSON.parse made of the text: when the text has no more colons than the value has members (each
 * key has one; a string may hold more), no key came twice, and the text is not walked (indexOf: a pattern counting
 * the colons after a quote took 7 µs of a declaration's 80).
 */
export function duplicateKeys(text: string, value: unknown): Array<{ path: string; count: number }> {
  let colons = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) colons++;
  if (colons <= memberCount(value)) return [];
  const out: Array<{ path: string; count: number }> = [];
  const c = new JsonCursor(text);
  if (text.charCodeAt(0) === 0xfeff) c.i = 1;
  const walk = (path: string): void => {
    const seen = new Map<string | number, { path: string; count: number }>();
    c.value((key) => {
      const p = memberPath(path, key);
      const dup = seen.get(key);
      if (dup === undefined) seen.set(key, { path: p, count: 1 });
      else if (++dup.count === 2) out.push(dup);
      c.ws();
      if (text[c.i] === '{' || text[c.i] === '[') walk(p);
      else c.skip();
    });
  };
  try {
    walk('');
  } catch (e) {
    // (nested past the stack's limit: what was found by then)
    if (!(e instanceof RangeError)) throw e;
  }
  return out;
}

/**
 * The issue path (`order.items[1].qty`) of the value that starts at `offset` of JSON text, or undefined when none
 * does: the walk goes down only the container that holds the offset.
 */
export function jsonPathAt(text: string, offset: number): string | undefined {
  const c = new JsonCursor(text);
  if (text.charCodeAt(0) === 0xfeff) c.i = 1;
  let found: string | undefined;
  const walk = (path: string): void => {
    c.value((key) => {
      const p = memberPath(path, key);
      c.ws();
      const start = c.i;
      if (start === offset) found = p;
      c.skip();
      if (found === undefined && start < offset && offset < c.i && (text[start] === '{' || text[start] === '[')) {
        c.i = start;
        walk(p);
      }
    });
  };
  try {
    walk('');
  } catch (e) {
    // (nested past the stack's limit: what is known by then)
    if (!(e instanceof RangeError)) throw e;
  }
  return found;
}

/**
 * Finds the line and column of an issue path (`order.items[1].qty`) in the JSON text it came
 * from, so that CI systems can point at the line: the member's key, or the array element. When
 * the path is not in the text (a missing field), the innermost enclosing object or array that is;
 * undefined when not even the first step is. A leading byte-order mark is skipped (it counts as
 * a column, as in the file).
 */
export function locateJsonPath(text: string, path: string): { line: number; column: number } | undefined {
  checkArgument(text, 'text', 'locateJsonPath', 'the JSON text');
  checkArgument(path, 'text', 'locateJsonPath', 'the path');
  return locateJsonPaths(text, [path])[0];
}

/** One step of the paths being located: the paths that pass through it or end at it. */
interface PathNode {
  readonly children: Map<string | number, PathNode>;
  /** Indexes of the paths that end here. */
  readonly ending: number[];
  /** Indexes of the paths that go on below (for which a container here is the innermost match so far). */
  readonly below: number[];
}

const pathNode = (): PathNode => ({ children: new Map(), ending: [], below: [] });

/**
 * {@link locateJsonPath} for several paths of one text in one walk (a declaration's issues): the
 * walk goes only into members some path names, and stops when every path is found.
 */
export function locateJsonPaths(
  text: string,
  paths: readonly string[],
): Array<{ line: number; column: number } | undefined> {
  checkArgument(text, 'text', 'locateJsonPaths', 'the JSON text');
  checkArgument(paths, 'list', 'locateJsonPaths', 'the paths');
  const root = pathNode();
  const best: Array<number | undefined> = new Array(paths.length).fill(undefined);
  // A path is found at the first member its last step matches; later duplicates do not move it.
  const found: boolean[] = new Array(paths.length).fill(false);
  let left = 0;
  paths.forEach((path, k) => {
    // (a path that is no string threw a TypeError in parsePath)
    if (typeof path !== 'string') checkArgument(path, 'text', 'locateJsonPaths', `paths[${k}]`);
    const steps = parsePath(path);
    if (steps.length === 0) return;
    left++;
    let node = root;
    for (const step of steps) {
      node.below.push(k);
      node = valueIn(node.children, step, pathNode);
    }
    node.ending.push(k);
  });
  const mark = (ks: readonly number[], at: number) => {
    for (const k of ks) if (!found[k]) best[k] = at;
  };
  const c = new JsonCursor(text);
  if (text.charCodeAt(0) === 0xfeff) c.i = 1;
  // Walks the value at the cursor, which `node` is reached by.
  const walk = (node: PathNode): void => {
    c.ws();
    if (text[c.i] === '{' || text[c.i] === '[') mark(node.below, c.i);
    c.value((key, at) => {
      const child = node.children.get(key);
      if (child === undefined) return c.skip();
      mark(child.ending, at);
      mark(child.below, at);
      for (const k of child.ending) {
        if (found[k]) continue;
        found[k] = true;
        if (--left === 0) throw FOUND;
      }
      if (child.children.size === 0) c.skip();
      else walk(child);
    });
  };
  try {
    if (left > 0) walk(root);
  } catch (e) {
    if (e !== FOUND && typeof e !== 'number') throw e;
  }
  const located = best.filter((at) => at !== undefined);
  const where = lineColumnsAt(text, located);
  let n = 0;
  return best.map((at) => (at === undefined ? undefined : where[n++]));
}

/** Thrown out of the walk when every path is found. */
const FOUND = Symbol('found');

function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}
