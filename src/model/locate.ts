/**
 * Finds the line and column of an issue path (`order.items[1].qty`) in the JSON text it came
 * from, so that CI systems can point at the line. Pure; returns undefined when the path is not
 * in the text (e.g. a missing field: then the enclosing object's line is returned).
 */
export function locateJsonPath(text: string, path: string): { line: number; column: number } | undefined {
  const target = parsePath(path);
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at: number) => ({ line, column: at - lineStart + 1 });
  const ws = () => {
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        line++;
        lineStart = i + 1;
      } else if (c !== 32 && c !== 9 && c !== 13 && c !== 0xfeff) break;
    }
  };
  const skipString = (): string => {
    const start = ++i;
    let out = '';
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '"') break;
    }
    out = text.slice(start, i);
    i++;
    return out.includes('\\') ? (JSON.parse(`"${out}"`) as string) : out;
  };
  let best: { line: number; column: number } | undefined;
  // Walks a value; `depth` is how many path segments matched so far.
  const value = (depth: number): void => {
    ws();
    const c = text[i];
    if (depth === target.length) return void skipValue();
    if (c === '{') {
      best = pos(i);
      i++;
      for (;;) {
        ws();
        if (text[i] === '}') return void i++;
        if (text[i] !== '"') return;
        const keyAt = pos(i);
        const key = skipString();
        ws();
        i++; // colon
        if (key === target[depth]) {
          best = keyAt;
          if (depth + 1 === target.length) throw keyAt;
          value(depth + 1);
        } else skipValue();
        ws();
        if (text[i] === ',') i++;
      }
    }
    if (c === '[') {
      best = pos(i);
      i++;
      for (let n = 0; ; n++) {
        ws();
        if (text[i] === ']') return void i++;
        if (n === target[depth]) {
          const at = pos(i);
          best = at;
          if (depth + 1 === target.length) throw at;
          value(depth + 1);
        } else skipValue();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') return;
      }
    }
    skipValue();
  };
  const skipValue = (): void => {
    ws();
    const c = text[i];
    if (c === '"') return void skipString();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      for (;;) {
        ws();
        if (text[i] === close || i >= text.length) return void i++;
        if (c === '{') {
          skipString();
          ws();
          i++;
        }
        skipValue();
        ws();
        if (text[i] === ',') i++;
      }
    }
    while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
  };
  try {
    value(0);
  } catch (found) {
    if (typeof found === 'object' && found !== null && 'line' in found)
      return found as { line: number; column: number };
    return best;
  }
  return best;
}

function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g))
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}
