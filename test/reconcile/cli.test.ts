import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMessage } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { fileSink, generate, type Calculate } from './generator.js';
import { calculate, reconcileArgs } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-cli-'));
const expected = generate(dir, fileSink(), {
  orders: 200,
  calculate: calculate as unknown as Calculate,
  billsPerFile: 30,
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = reconcileArgs(dir);

describe('sandan reconcile', () => {
  it('writes the JSON report and exits 1 when anything does not match', async () => {
    const r = await runCli([...base, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.summary).toMatchObject({
      orders: 202,
      matched: expected.matched,
      mismatched: 2,
      billMissing: 2,
      billWithoutDeclaration: 2,
      cancelled: 2,
      refunded: 2,
      unlinked: 2,
      billedTaxTotal: expected.billedTaxTotal,
      declaredTaxTotal: expected.declaredTaxTotal,
    });
    expect(j.summary.mismatches).toHaveLength(4);
    expect(j.summary.mismatches[0]).toMatchObject({ kind: 'declared', amount: '0.01' });
    expect(j.orders).toHaveLength(202);
    expect(typeof j.summary.byMonth['2026-11'].orders).toBe('number');
  });

  it('reads a file once however often the paths name it (a customs inbox given as bills and as receipts)', async () => {
    const once = JSON.parse((await runCli([...base, '--format', 'json'])).stdout).summary.inputs;
    // The whole folder as bills and as receipts, a folder inside it again, and one bill file twice.
    const bill = join(dir, 'bills', readdirSync(join(dir, 'bills')).sort()[0]!);
    const args = ['reconcile', '--declarations', join(dir, 'declarations.ndjson'), '--rates', join(dir, 'rates.json')];
    const r = await runCli([
      ...args,
      '--tax-bills',
      dir,
      join(dir, 'bills'),
      bill,
      '--receipts',
      `${dir}/./receipts`,
      dir,
      '--format',
      'json',
    ]);
    const inputs = JSON.parse(r.stdout).summary.inputs;
    // (the generated month has two duplicate bills of its own, counted alike both ways)
    expect(inputs).toEqual(once);
  });

  it('writes CSV with a BOM and one row per order, to --out', async () => {
    const out = join(dir, 'report.csv');
    const r = await runCli([...base, '--format', 'csv', '--out', out, '--index', 'sqlite']);
    expect(r.code).toBe(1);
    const csv = readFileSync(out, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(203);
    expect(lines[0]!.split(',').slice(0, 6)).toEqual([
      '订单编号 / orderNo',
      '清单编号 / invtNo',
      '税单号 / taxNos',
      '对账状态 / status',
      '对账状态说明 / statusLabel',
      '月份 / month',
    ]);
    // The status code, which scripts read, and beside it its words in Chinese and English.
    expect(lines.filter((l) => l.includes(',mismatch,不符 / mismatch,'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes(',bill-missing,缺税单 / bill missing,')).length).toBeGreaterThan(0);
  });

  it('prints a readable summary and exits 0 when everything matches', async () => {
    const all = readFileSync(join(dir, 'declarations.ndjson'), 'utf8').split('\n');
    // Order 0 (slot 0) has no bill; order 10 (slot 70) is a plain matched order.
    writeFileSync(join(dir, 'one.ndjson'), `${all[10]}\n`);
    const file = readFileSync(join(dir, 'bills', 'CEB816-000001.xml'), 'utf8');
    const block = file
      .split('<Tax>')
      .find((b) => b.includes('2026I000000010</invtNo>'))!
      .split('</Tax>')[0];
    writeFileSync(join(dir, 'one.xml'), `${file.split('<Tax>')[0]}<Tax>${block}</Tax></CEB816Message>`);
    const r = await runCli([
      'reconcile',
      '--declarations',
      join(dir, 'one.ndjson'),
      '--tax-bills',
      join(dir, 'one.xml'),
      '--rates',
      join(dir, 'rates.json'),
    ]);
    expect(r.stdout).toContain('关税对账');
    expect(r.stdout).toMatch(/matched\s+1/);
    expect(r.code).toBe(0);
  });

  it('without --rates, orders not computed are followed by a note saying to pass a rate table', async () => {
    const month = 'examples/finance/2026-11';
    const args = ['reconcile', '--declarations', `${month}/declarations.ndjson`, '--tax-bills', `${month}/bills`];
    const r = await runCli([...args, '--receipts', `${month}/receipts`, '--format', 'json', '--workers', '0']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    // 100 declarations: 95 computable ones lack a rate in the seed table (their bills are present).
    expect(j.summary.notComputed).toBe(95);
    expect(j.orders.find((o: { status: string }) => o.status === 'not-computed').notes).toContain('issue:rate-missing');
    expect(r.stderr).toBe(
      "sandan reconcile: note: 95 orders not computed for want of a rate (issue:rate-missing in the row's notes); without --rates only sandan's seed table was consulted: pass your rate table with --rates FILE\n",
    );
    const withRates = await runCli([...args, '--rates', `${month}/rates.json`, '--quiet', '--workers', '0']);
    expect(withRates.stderr).toBe('');
    // Orders not computed for another reason (lines that are not JSON): a rate table would not help, no note.
    const unreadable = await runCli(
      ['reconcile', '--declarations', '-', '--tax-bills', `${month}/bills`, '--format', 'json'],
      'x\ny\n',
    );
    expect(JSON.parse(unreadable.stdout).summary.notComputed).toBe(2);
    expect(unreadable.stderr).toBe('');
    // One such order alone: the note says "1 order".
    const orderNo = j.orders.find((o: { status: string }) => o.status === 'not-computed').orderNo;
    const line = readFileSync(`${month}/declarations.ndjson`, 'utf8')
      .split('\n')
      .find((l) => l.trim() && JSON.parse(l).order.orderNo === orderNo);
    const one = await runCli(
      ['reconcile', '--declarations', '-', '--tax-bills', `${month}/bills`, '--format', 'json'],
      `${line}\n`,
    );
    expect(one.stderr).toMatch(/^sandan reconcile: note: 1 order not computed for want of a rate /);
  });

  describe('declarations laid out as validate reads them', () => {
    const month = 'examples/finance/2026-11';
    const args = ['--tax-bills', `${month}/bills`, '--receipts', `${month}/receipts`, '--rates', `${month}/rates.json`];
    const lines = readFileSync(`${month}/declarations.ndjson`, 'utf8').trim().split('\n');
    const run = (declarations: string, stdin = '', workers = '0') =>
      runCli(['reconcile', '--declarations', declarations, ...args, '--format', 'json', '--workers', workers], stdin);
    const rowOf = (j: { orders: Array<{ orderNo: string }> }, orderNo: string) =>
      j.orders.find((o) => o.orderNo === orderNo);
    // The month's one bill delivered twice (the first Tax of CEB816-000003.xml repeats the 15th and last of
    // CEB816-000002.xml): named after the other problems, by both files and places.
    const DUPLICATE =
      `CEB816 taxNo 22442026I00000006501 came twice: first in ${month}/bills/CEB816-000002.xml, bill 15, ` +
      `again in ${month}/bills/CEB816-000003.xml, bill 1; the copies agree (inventory, order, amounts), counted once`;

    it('reads a pretty-printed declaration as the one declaration it is, not one bad declaration per line', async () => {
      const first = JSON.parse(lines[0]!);
      const pretty = join(dir, 'pretty.json');
      writeFileSync(pretty, `${JSON.stringify(first, null, 2)}\n`);
      writeFileSync(join(dir, 'first.ndjson'), `${lines[0]}\n`);
      const line = JSON.parse((await run(join(dir, 'first.ndjson'))).stdout);
      for (const workers of ['0', '2']) {
        const j = JSON.parse((await run(pretty, '', workers)).stdout);
        expect(j.summary.inputs.declarations).toBe(1);
        expect(j.summary.problems).toEqual([DUPLICATE]);
        expect(rowOf(j, first.order.orderNo)).toEqual(rowOf(line, first.order.orderNo));
        // (the file's first order has no bill: its row is the NDJSON line's, computed, with no json-syntax note)
        expect(rowOf(j, first.order.orderNo)).toMatchObject({ status: 'bill-missing', notes: ['line:1'] });
      }
    });

    it('an array of declarations is a problem that says how to make NDJSON of it; none is read, exit 1', async () => {
      const array = join(dir, 'array.json');
      writeFileSync(
        array,
        JSON.stringify(
          lines.map((l) => JSON.parse(l)),
          null,
          2,
        ),
      );
      const r = await run(array);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.summary.inputs).toMatchObject({ declarations: 0, unreadableDocuments: 1 });
      expect(j.summary.problems).toEqual([
        `${array}: The input is a JSON array (100 items): a JSON file holds one declaration; give many as NDJSON, one per line, e.g. jq -c '.[]' FILE.json > FILE.ndjson`,
        'No declaration was read (the declarations input is empty, or could not be used): nothing was compared with the bills',
        DUPLICATE,
      ]);
    });

    it('NDJSON whose first line is broken (standard input) is read line by line, with a problem saying so', async () => {
      const r = await run('-', `{"order":\n${lines.join('\n')}\n`);
      const j = JSON.parse(r.stdout);
      expect(j.summary.inputs.declarations).toBe(101);
      expect(j.orders[0].notes).toContain('issue:json-syntax');
      expect(j.summary.problems).toHaveLength(3);
      expect(j.summary.problems[2]).toBe(DUPLICATE);
      expect(j.summary.problems[0]).toMatch(
        /^the declarations stream: neither NDJSON \(its first line is not a declaration on its own\) nor one JSON document \(The input is not valid JSON \(line 3, column 1\): .*\); its lines were read one by one\. reconcile reads NDJSON, one declaration per line: convert a pretty-printed declaration with jq -c \. FILE\.json > FILE\.ndjson/,
      );
      // The broken line itself is named too, as an unusable document is: by the input and its line.
      const broken = 'line 1: The input is not valid JSON (line 1, column 10): Unexpected end of JSON input';
      expect(j.summary.problems[1]).toBe(`the declarations stream, ${broken}`);
      // A .ndjson file is NDJSON by its name: no guess; the broken line is named by the file.
      const file = join(dir, 'broken-first.ndjson');
      writeFileSync(file, `{"order":\n${lines.join('\n')}\n`);
      for (const workers of ['0', '2']) {
        const named = JSON.parse((await run(file, '', workers)).stdout);
        expect([named.summary.inputs.declarations, named.summary.problems]).toEqual([
          101,
          [`${file}, ${broken}`, DUPLICATE],
        ]);
      }
    });
  });

  it('exits 2 on a missing file', async () => {
    const r = await runCli([
      'reconcile',
      '--declarations',
      join(dir, 'none.ndjson'),
      '--tax-bills',
      join(dir, 'nothing'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file');
  });
});

describe('sandan status', () => {
  it('shows a rejected order with its reason and fix, and exits 1', async () => {
    const r = await runCli(['status', 'test/fixtures/xml/CEB312-rejected.xml', '--now', '2026-11-20T03:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('SD202611200001  state: rejected');
    expect(r.stdout).toContain('2026-11-20T10:17:00.001+08:00');
    expect(r.stdout).toContain('[Code:1332]');
    expect(r.stdout).toContain('fix:');
  });

  it('does not print a returnInfo that only restates the status (text and HTML), and keeps it in the JSON', async () => {
    // E-Port's 2 often carries its own meaning as returnInfo; a returnInfo of its own is shown.
    const f = join(dir, 'CEB312-pending.xml');
    const receipt = (status: string, time: string, info: string) =>
      `<OrderReturn><guid>G-${status}</guid><ebpCode>3301964J31</ebpCode><ebcCode>3301964J31</ebcCode><orderNo>SD-PENDING</orderNo><returnStatus>${status}</returnStatus><returnTime>${time}</returnTime><returnInfo>${info}</returnInfo></OrderReturn>`;
    writeFileSync(
      f,
      `<CEB312Message guid="M-1" version="1.0" xmlns="http://www.chinaport.gov.cn/ceb">${receipt('2', '20261120101700000', '电子口岸申报中')}${receipt('120', '20261120101800000', '海关入库成功，等待审核')}</CEB312Message>`,
    );
    const args = ['status', f, '--now', '2026-11-20T03:00:00Z'];
    const text = (await runCli(args)).stdout;
    expect(text).toMatch(/CEB312 {2}order +2 电子口岸申报中\n/);
    expect(text).toMatch(/ 120 \S+ 海关入库成功，等待审核\n/);
    const html = (await runCli([...args, '--format', 'html'])).stdout;
    expect(html.match(/电子口岸申报中/g)).toHaveLength(1);
    const json = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
    expect(json.orders[0].timeline[0]).toMatchObject({ returnStatus: '2', desc: '电子口岸申报中' });
  });

  it('links receipts to the order through a declaration file and filters with --order (JSON)', async () => {
    const r = await runCli([
      'status',
      'examples/hangzhou-1210.json',
      'test/fixtures/xml/CEB312-rejected.xml',
      '--order',
      'ZT7700012345678',
      '--format',
      'json',
      '--now',
      '2026-11-20T03:00:00Z',
    ]);
    const j = JSON.parse(r.stdout);
    expect(j.orders).toHaveLength(1);
    expect(j.orders[0].order).toBe('SD202611200001');
    expect(j.orders[0].keys.logisticsNo).toEqual(['ZT7700012345678']);
  });

  it('a declaration it cannot read is named on standard error and makes the exit 1, not 0 (it may hide an anomaly)', async () => {
    const gbk = join(dir, 'gbk.json');
    writeFileSync(gbk, Buffer.from([0x7b, 0x22, 0xd5, 0xc5, 0x22, 0x7d])); // {"张"} in GBK: not UTF-8
    const receipts = 'examples/finance/2026-11/receipts/CEB624-000001.xml'; // an approved cancel: no anomaly
    const ok = await runCli(['status', receipts, '--now', '2026-12-05']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const r = await runCli(['status', receipts, gbk, '--now', '2026-12-05']);
    expect(r.stderr).toBe(
      `sandan status: ${gbk}:1: The input is not valid UTF-8 text (byte 0xD5 at line 1, column 3; it looks like GB18030 (GBK)); save it as UTF-8\n`,
    );
    expect(r.stdout).toContain('state: cancelled');
    expect(r.code).toBe(1);
  });

  it("reads the tax bills of a customs folder (CEB816, CEB818) into the order's timeline, without a word on standard error", async () => {
    // Order 19 of the finance month: billed, then cancelled, its bill voided by a CEB818 (before, each bill
    // file was refused on standard error as "neither a receipt nor a declaration").
    const month = 'examples/finance/2026-11';
    const args = ['status', `${month}/receipts`, `${month}/bills`, `${month}/declarations.ndjson`];
    const r = await runCli([...args, '--order', 'SD000000000019', '--now', '2026-11-21']);
    // (only that this --now is before the order's bills: none of the files is refused)
    expect(r.stderr).toBe(
      'sandan status: --now 2026-11-21T00:00:00.000+08:00 is earlier than the latest receipt or message (2026-12-05T09:00:00.000+08:00): waits and deadlines are counted from it\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual([
      'SD000000000019  state: cancelled',
      '  2026-11-20T10:15:00.000+08:00  CEB311  order           sent',
      '  2026-12-01T00:00:19.000+08:00  CEB816  taxBill         1 已生成 taxNo 31052026I00000001901 duty 0 VAT 204.84 consumption 0',
      '  2026-12-04T10:00:00.000+08:00  CEB624  cancel          399 海关审结 [Code:2300] 审核通过，已成功撤单',
      '  2026-12-05T09:00:00.000+08:00  CEB818  taxBill         3 作废 taxNo 31052026I00000001901',
    ]);
  });

  it('reads a file once however often the paths name it (a folder, a folder inside it, one file twice)', async () => {
    // It read each path on its own: "in 18 files" for the 9 of the month, and rates.json refused twice.
    const month = 'examples/finance/2026-11';
    const receipt = `${month}/receipts/CEB624-000001.xml`;
    const at = ['--order', 'NONE', '--now', '2026-11-21'];
    const once = await runCli(['status', month, ...at]);
    const again = await runCli(['status', month, `${month}/bills`, `./${month}`, receipt, receipt, ...at]);
    expect(once.stdout).toContain('in 9 files names NONE');
    expect(once.stderr.match(/rates\.json: not a declaration/g)).toHaveLength(1);
    expect([again.code, again.stdout, again.stderr]).toEqual([once.code, once.stdout, once.stderr]);
  });

  it('an XML file it cannot read is named on standard error and skipped; the others are reported, exit 1', async () => {
    // One broken receipt in a folder stopped the whole report (exit 1, nothing on standard output).
    const broken = join(dir, 'status-broken.xml');
    writeFileSync(broken, '<ceb:CEB624Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"><ceb:InvtCancelReturn>');
    const receipts = 'examples/finance/2026-11/receipts/CEB624-000001.xml'; // an approved cancel: no anomaly
    const r = await runCli(['status', broken, receipts, '--now', '2026-12-05']);
    expect(r.stderr).toMatch(
      new RegExp(
        `^sandan status: ${broken.replace(/[.\\/]/g, '\\$&')}: The XML is not well-formed \\(line 1, column \\d+\\): .*; skipped\n$`,
      ),
    );
    expect(r.stdout).toContain('state: cancelled');
    expect(r.stdout).toContain('1 order, 0 with anomalies');
    expect(r.code).toBe(1);
  });

  it('a JSON file that is no declaration (a configuration file) is named and skipped, exit 1, as validate finds it invalid', async () => {
    // It was read as a declaration of no documents: "0 orders", exit 0, not a word.
    const receipts = 'examples/finance/2026-11/receipts/CEB624-000001.xml'; // an approved cancel: no anomaly
    const config = join(dir, 'sandan.config.json');
    writeFileSync(config, JSON.stringify({ district: '2900', rates: 'rates.json' }));
    const typo = join(dir, 'typo-declaration.json');
    writeFileSync(typo, JSON.stringify({ Order: { orderNo: 'SD202611200009' } }));
    const text = join(dir, 'text.json');
    writeFileSync(text, '"SD202611200009"');
    const lines = join(dir, 'mixed.ndjson');
    const decl = JSON.stringify(JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8')));
    writeFileSync(lines, `{"foo":1}\n${decl}\nnull\n`);
    const r = await runCli(['status', receipts, config, typo, text, lines, '--now', '2026-12-05T03:00:00Z']);
    expect(r.stderr).toBe(
      [
        `sandan status: ${config}: not a declaration: it has none of order, payment, logistics, inventory (its keys: district, rates); skipped`,
        `sandan status: ${typo}: not a declaration: it has none of order, payment, logistics, inventory (Order: did you mean order?); skipped`,
        `sandan status: ${text}: not a declaration: a JSON string, not an object; skipped`,
        `sandan status: ${lines}:1: not a declaration: it has none of order, payment, logistics, inventory (its keys: foo); skipped`,
        `sandan status: ${lines}:3: not a declaration: a JSON null, not an object; skipped`,
        '',
      ].join('\n'),
    );
    // the others are read: the cancel, and the declaration on line 2 of the NDJSON
    expect(r.stdout).toContain('state: cancelled');
    expect(r.stdout).toContain('SD202611200001  state: sent\n  2026-11-20T10:15:00.000+08:00  CEB311  order');
    expect(r.code).toBe(1);
    // validate finds the same file invalid, exit 1 (no order, payment or logistics)
    const v = await runCli(['validate', config]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('Required field order is missing');
    // without them, exit 0
    const ok = await runCli(['status', receipts, '--now', '2026-12-05T03:00:00Z']);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });

  it('an appTime that is no time is named: its document is shown without a time, exit 1 (it may hide a missing receipt)', async () => {
    const decl = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    decl.order.appTime = 20261120101500; // a number: validate's field-type error
    decl.payment = 'PAY';
    const numeric = join(dir, 'numeric-apptime.json');
    writeFileSync(numeric, JSON.stringify(decl));
    const r = await runCli(['status', numeric, '--now', '2026-11-20T03:00:00Z']);
    expect(r.stderr).toBe(
      [
        `sandan status: ${numeric}: order.appTime is not a time as yyyyMMddHHmmss (got 20261120101500); shown without a time`,
        `sandan status: ${numeric}: payment is not an object (got "PAY"); left out`,
        '',
      ].join('\n'),
    );
    expect(r.stdout).toBe(
      [
        'SD202611200001  state: sent',
        '  (no time)                      CEB311  order           sent',
        '  (no time)                      CEB511  logistics       sent',
        '  (no time)                      CEB621  inventory       sent',
        '',
        '1 order, 0 with anomalies',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
    const v = await runCli(['validate', numeric]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('order.appTime has the wrong type: expected string, got 20261120101500');

    // A sent message likewise.
    const built = buildMessage('CEB311', JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8')).order, {
      sender: JSON.parse(readFileSync('examples/sender.json', 'utf8')),
      now: () => new Date('2026-11-20T02:15:00Z'),
      newId: () => '00000000-0000-4000-8000-000000000001',
    });
    if (!built.ok) throw new Error('build');
    const xml = join(dir, 'CEB311-bad-apptime.xml');
    writeFileSync(xml, built.xml.replace(/<ceb:appTime>\d+<\/ceb:appTime>/, '<ceb:appTime>2026-11-20</ceb:appTime>'));
    const m = await runCli(['status', xml, '--now', '2026-11-20T03:00:00Z']);
    expect(m.stderr).toBe(
      `sandan status: ${xml}: CEB311 appTime is not a time as yyyyMMddHHmmss (got "2026-11-20"); shown without a time\n`,
    );
    expect(m.stdout).toContain('  (no time)                      CEB311  order           sent');
    expect(m.code).toBe(1);
  });

  it('--order that no input names exits 1 and says so (it is not an order without anomaly)', async () => {
    const args = ['status', 'examples/hangzhou-1210.json', 'test/fixtures/xml/CEB312-rejected.xml'];
    const none =
      'no receipt, message or declaration in 2 files names NOPE (as orderNo, copNo, preNo, invtNo, logisticsNo or payTransactionId)';
    const text = await runCli([...args, '--order', 'NOPE', '--now', '2026-11-20T03:00:00Z']);
    expect([text.code, text.stdout, text.stderr]).toEqual([1, `${none}\n\n0 orders, 0 with anomalies\n`, '']);
    const json = await runCli([...args, '--order', 'NOPE', '--format', 'json', '--now', '2026-11-20T03:00:00Z']);
    expect([json.code, JSON.parse(json.stdout).orders, json.stderr]).toEqual([1, [], `sandan status: ${none}\n`]);
  });

  it('--order by orderNo over inventory receipts alone says that they do not carry it, and what to give', async () => {
    // The finance example's receipts: CEB622/624/626, which name copNo, preNo and invtNo, never the orderNo.
    const args = ['status', 'examples/finance/2026-11/receipts', '--now', '2026-12-15'];
    const r = await runCli([...args, '--order', 'SD000000000092']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      'no receipt, message or declaration in 3 files names SD000000000092 (as orderNo, copNo, preNo, invtNo, logisticsNo or payTransactionId); no declaration or sent message was given, and the receipts of the inventory (CEB622/624/626), payment (CEB412) and waybill (CEB512) do not carry the orderNo: give the declarations or the messages sent as well, which tie them to it, or ask by copNo, invtNo, payTransactionId or logisticsNo',
    );
    // Asked by the inventory's copNo, the same receipts answer.
    const byCopNo = await runCli([...args, '--order', 'INV000000000011']);
    expect(byCopNo.stdout).toMatch(/^copNo:INV000000000011 {2}state: released\n/);
  });

  it('a folder with no receipt or declaration file in it is an error (exit 2), as for validate', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    writeFileSync(join(empty, 'notes.txt'), 'not a receipt');
    const r = await runCli(['status', empty]);
    expect([r.code, r.stderr]).toEqual([
      2,
      expect.stringContaining(`no .xml, .json or .ndjson files found in the folder ${empty} or its subfolders`),
    ]);
  });

  it('a .ndjson file is NDJSON by its name, as validate reads it: a broken first line is that line only', async () => {
    const ndjson = join(dir, 'status-broken-first.ndjson');
    const decl = JSON.stringify(JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8')));
    writeFileSync(ndjson, `{"order":\n${decl}\n`);
    const r = await runCli(['status', ndjson, '--format', 'json', '--now', '2026-11-20T03:00:00Z']);
    expect(r.stderr).toMatch(/^sandan status: \S+:1: The input is not valid JSON \(line 1, column 10\)/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(JSON.parse(r.stdout).orders.map((o: { order: string }) => o.order)).toEqual(['SD202611200001']);
  });

  it('an array of declarations is named as one on standard error and makes the exit 1 (it read as no order at all)', async () => {
    const array = join(dir, 'status-array.json');
    writeFileSync(array, JSON.stringify([JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'))]));
    const r = await runCli(['status', array, '--now', '2026-12-05']);
    expect(r.stderr).toBe(
      `sandan status: ${array}:1: The input is a JSON array (1 item): a JSON file holds one declaration; give many as NDJSON, one per line, e.g. jq -c '.[]' FILE.json > FILE.ndjson\n`,
    );
    expect(r.code).toBe(1);
  });
});
