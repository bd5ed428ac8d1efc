/*
 * Fuzzing the customs emulator over HTTP as an order service, a test script or a page on the
 * loopback would reach it: any method, path, query, content type and body, and per-order
 * scenarios of any shape followed by that order's four messages. What must hold:
 * - every request is answered, with 2xx or a 4xx problem (JSON, or XML when the client did not
 *   ask for JSON) that names its code: never 500, which is the transport's safety net for its
 *   own defects, and never a dropped connection;
 * - a scenario the engine takes never leads to a 3001 "emulator failure" receipt;
 * - afterwards the server still answers /health.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type CustomsEmulator, createCustomsEmulator, type OutgoingReceipt } from '../../src/emulator/index.js';
import { parseReturnInfo } from '../../src/xml/index.js';
import { type DocKey, example, message, RATES, read } from '../emulator/helpers.js';
import { FUZZ_TIMEOUT, fuzzParams, hostileValue } from './mutations.js';

let customs: CustomsEmulator;
let port: number;
const KEYS: DocKey[] = ['order', 'payment', 'logistics', 'inventory'];

/** A fresh emulator for one property (the request fuzzing moves its clock as far as it lets). */
async function start(): Promise<void> {
  await customs?.close();
  customs = await createCustomsEmulator({
    clock: 'manual',
    start: '2026-11-20T02:20:00Z',
    rates: RATES,
    requireSignature: false,
    folder: false,
  });
  port = Number(new URL(customs.url!).port);
}
afterAll(async () => {
  await customs?.close();
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** One raw request (node:http, so the path goes out as written, unnormalised). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An answer as the emulator promises it: 2xx, or a 4xx problem with its code. */
function expectAnswer(a: Answer, what: string): void {
  expect(a.status, `${what} → ${a.status} ${a.body.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
  expect(a.status, `${what} → ${a.status} ${a.body.slice(0, 300)}`).toBeLessThan(500);
  if (a.status < 400 || what.startsWith('HEAD ')) return; // (a HEAD answer has no body)
  if (a.type.startsWith('application/json')) expect(JSON.parse(a.body).error.code).toMatch(/^[A-Z_0-9]+$/);
  else if (a.body !== '' && !a.body.includes('<Ack')) expect(a.body).toMatch(/<Error code="[A-Z_0-9]+"|CEB900|<\w/);
}

const PATHS = [
  '/ceb',
  '/receipts',
  '/health',
  '/admin/received',
  '/admin/receipts',
  '/admin/advance',
  '/admin/scenario',
  '/',
  '/admin',
  '/ceb/',
  '//ceb',
  '/%2e%2e/ceb',
  '/admin/%73cenario',
  '*',
  '/receipts#x',
];
/** Query values: numbers past what the routes take, durations, text, nothing. */
const QUERY_VALUES = [
  '',
  '0',
  '1',
  '-1',
  '1.5',
  '1e3',
  '9007199254740993',
  '999999999999999999999',
  '2h',
  '30m',
  '1d',
  '0d',
  '9999999999d',
  '9007199254740991',
  'NaN',
  '中文',
  '%00',
  '%ZZ',
  'a&b=c',
];
const queryValue = fc.oneof(fc.constantFrom(...QUERY_VALUES), fc.string({ maxLength: 8 }));
/** A query string of up to three of these names, each with any value. */
const query = (names: string[]) =>
  fc
    .array(fc.tuple(fc.constantFrom(...names), queryValue), { maxLength: 3 })
    // (a long-poll waits as long as it is asked to: the cases ask for at most 20 ms)
    .map((pairs) => pairs.map(([k, v]) => (k === 'wait' ? [k, String(Math.min(20, Number(v) || 0))] : [k, v])))
    .map((pairs) =>
      pairs.map(([k, v]) => `${encodeURIComponent(k!)}=${/^[!-~]*%[!-~]*$/.test(v!) ? v : encodeURIComponent(v!)}`),
    );

const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=gbk',
  'APPLICATION/JSON',
  'application/xml',
  'text/xml',
  'application/soap+xml',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
];

/**
 * JSON text of any shape (hostileValue's values written out; one nested thousands deep is written
 * as text, since JSON.stringify itself cannot write it).
 */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  hostileValue.map((v) => {
    try {
      return JSON.stringify(v) ?? 'null';
    } catch {
      return '[[[[[[[[[[]]]]]]]]]]';
    }
  }),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`),
);

/** Bodies: JSON of any shape, admin-looking objects, text, and nothing. */
const body = fc.oneof(
  fc.constant(undefined),
  jsonText,
  fc
    .tuple(
      fc.oneof(
        fc.string().map((t) => JSON.stringify(t)),
        jsonText,
      ),
      jsonText,
    )
    .map(([orderNo, scenario]) => `{"orderNo":${orderNo},"scenario":${scenario}}`),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('<', '<?xml version="1.0"?><CEB311Message/>', '{', '[]', 'null', '{"orderNo":"A","scenario":[]}'),
);

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'];
/** Each endpoint with its method and the query names it reads (so that most cases reach a handler). */
const ENDPOINTS: Record<string, [method: string, names: string[]]> = {
  '/ceb': ['POST', []],
  '/receipts': ['GET', ['after', 'wait', 'orderNo', 'ebpCode']],
  '/health': ['GET', []],
  '/admin/received': ['GET', ['after', 'limit']],
  '/admin/receipts': ['GET', ['after', 'orderNo', 'ebpCode']],
  '/admin/advance': ['POST', ['by']],
  '/admin/scenario': ['POST', []],
};
const requestTo = (path: fc.Arbitrary<string>, method: (path: string) => fc.Arbitrary<string>, names: string[]) =>
  path.chain((p) =>
    fc.record({
      method: method(p),
      path: fc.constant(p),
      query: query([...(ENDPOINTS[p]?.[1] ?? []), ...names]),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      accept: fc.constantFrom(undefined, 'application/json', 'application/xml', '*/*', 'text/html'),
      body,
    }),
  );
const requestArb = fc.oneof(
  {
    weight: 4,
    arbitrary: requestTo(
      fc.constantFrom(...Object.keys(ENDPOINTS)),
      (p) => fc.oneof({ weight: 4, arbitrary: fc.constant(ENDPOINTS[p]![0]) }, fc.constantFrom(...METHODS)),
      ['x'],
    ),
  },
  requestTo(fc.oneof(fc.constantFrom(...PATHS), fc.webPath()), () => fc.constantFrom(...METHODS), [
    'after',
    'limit',
    'orderNo',
    'by',
    'wait',
    '__proto__',
  ]),
);

/** Scenarios of any shape: the documented three, each field varied, and arbitrary values. */
const code = fc.oneof(fc.constantFrom('1313', '-621005', '22001', '0', '-0', '2', '800', 'x', ''), fc.string());
const scenario = fc
  .oneof(
    fc.record(
      { code, desc: fc.oneof(fc.string(), fc.constantFrom('],[', '[Code:1;Desc:x]', ']', '&<>')), at: fc.string() },
      { requiredKeys: ['code'] },
    ),
    fc.record(
      {
        code,
        desc: fc.string(),
        at: fc.constantFrom('order', 'payment', 'logistics', 'inventory'),
      },
      { requiredKeys: ['code'] },
    ),
  )
  .map((reject) => ({ reject }) as unknown);
const anyScenario = fc
  .oneof(
    scenario,
    fc
      .record({
        status: fc.constantFrom('500', '600', '800', 500),
        for: fc.oneof(fc.constantFrom('1s', '2h', '3d', '400d', '9007199254740991d', 1, 0), fc.string()),
      })
      .map((hold) => ({ hold })),
    fc
      .record(
        {
          receipt: fc.constantFrom('CEB312', 'CEB412', 'CEB512', 'CEB622', 'CEB816', 'CEB900', 'CEB62', 'toString'),
          status: fc.constantFrom('2', '3', '120', '800', '100', 'x'),
        },
        { requiredKeys: ['receipt'] },
      )
      .map((drop) => ({ drop })),
  )
  .map((v) => JSON.stringify(v));
/** The platform a scenario is for, as JSON text: none, the example's, another one, or JSON of any shape. */
const platform = fc.option(fc.oneof(fc.constantFrom('"3301964J31"', '"3301964J77"', '""'), jsonText), {
  nil: undefined,
});

/** A scenario as JSON text: the documented shapes varied, or JSON of any shape. */
const scenarioText = fc.oneof({ weight: 3, arbitrary: anyScenario }, jsonText);

let orders = 0;

describe('fuzzing the emulator over HTTP', () => {
  it(
    'any request is answered with 2xx or a 4xx problem, never 500, and the server carries on',
    async () => {
      await start();
      await fc.assert(
        fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 4 }), async (list) => {
          for (const r of list) {
            const path = `${r.path}${r.query.length > 0 ? `?${r.query.join('&')}` : ''}`;
            const headers: Record<string, string> = {};
            if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
            if (r.accept !== undefined) headers.Accept = r.accept;
            const sent = r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body;
            expectAnswer(
              await send(r.method, path, headers, sent),
              `${r.method} ${path} ${String(sent).slice(0, 100)}`,
            );
          }
          expect((await send('GET', '/health', {})).status).toBe(200);
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'a scenario is taken or refused with 400; one taken, the order is answered without a 3001 "emulator failure"',
    async () => {
      await start();
      const decl = example();
      await fc.assert(
        fc.asyncProperty(scenarioText, fc.constantFrom('2h', '3d', '40d'), platform, async (s, later, ebpCode) => {
          const orderNo = `FUZZ-HTTP-${++orders}`;
          const set = await send(
            'POST',
            '/admin/scenario',
            { 'Content-Type': 'application/json' },
            `{"orderNo":"${orderNo}","scenario":${s}${ebpCode === undefined ? '' : `,"ebpCode":${ebpCode}`}}`,
          );
          expect([200, 400], set.body).toContain(set.status);
          if (set.status === 400) {
            // (the transport's own check of the shape, or the engine's of the content)
            expect(['BAD_PARAMETER', 'INVALID_OPTION']).toContain(JSON.parse(set.body).error.code);
            return;
          }
          const d = structuredClone(decl);
          d.order.orderNo = orderNo;
          d.payment.orderNo = orderNo;
          d.logistics.orderNo = orderNo;
          d.inventory.orderNo = orderNo;
          d.inventory.copNo = `C${orderNo}`;
          d.logistics.logisticsNo = `L${orders}`;
          d.inventory.logisticsNo = `L${orders}`;
          d.order.payTransactionId = `P${orders}`;
          d.payment.payTransactionId = `P${orders}`;
          d.inventory.payTransactionId = `P${orders}`;
          for (const k of KEYS) {
            const ack = await send('POST', '/ceb', { 'Content-Type': 'application/xml' }, await message(d, k));
            expectAnswer(ack, `${k} under ${s.slice(0, 200)}`);
          }
          expectAnswer(await send('POST', `/admin/advance?by=${later}`, {}), 'advance');
          const { receipts } = JSON.parse(
            (await send('GET', `/admin/receipts?orderNo=${orderNo}`, { Accept: 'application/json' })).body,
          ) as { receipts: OutgoingReceipt[] };
          expect(receipts.length, s.slice(0, 200)).toBeGreaterThan(0);
          for (const r of receipts) {
            const info = read(r).documents[0]?.returnInfo;
            if (typeof info === 'string') expect(parseReturnInfo(info).code, `${r.type} ${info}`).not.toBe('3001');
          }
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
