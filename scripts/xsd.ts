/**
 * A small reader of the official XSDs for the generators (build time only): elements, attributes and text; comments
 * and processing instructions are skipped. The XSDs have no CDATA and no entities beyond the five, which are left as
 * written.
 */

/** The official 2022-05 XSDs, as the repository keeps them. */
export const XSD_DIR = new URL('../test/fixtures/ceb-spec/xsd-202205/', import.meta.url);

/** An element as read: qualified name, attributes, child elements and its own text. */
export interface X {
  name: string;
  attrs: Record<string, string>;
  kids: X[];
  text: string;
}

/** The root element of an XSD's text. */
export function readXml(text: string): X {
  const root: X = { name: '#root', attrs: {}, kids: [], text: '' };
  const stack = [root];
  let last = 0;
  const tag = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>/g;
  for (const m of text.matchAll(tag)) {
    const [, close, name = '', attrText = '', empty] = m;
    stack.at(-1)!.text += text.slice(last, m.index);
    last = m.index + m[0].length;
    if (!name) continue;
    if (close) {
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    const el: X = { name, attrs, kids: [], text: '' };
    stack.at(-1)!.kids.push(el);
    if (!empty) stack.push(el);
  }
  return root.kids[0]!;
}
