import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createCustomsEmulator, type CustomsEmulator } from '../../src/emulator/index.js';
import { startHttpTransport, type HttpTransport } from '../../src/emulator/http.js';
import { fakeEngine } from './fake-engine.js';

/*
 * What the HTTP transport refuses so that a web page in the user's browser cannot use it (audit
 * finding 5): a Host header that is not the emulator's (DNS rebinding: the page's own name now
 * pointing at 127.0.0.1), an Origin of another site (a cross-site POST). And a step of the clock
 * past the end of time (finding 7), which answered 200 and did nothing.
 */

let open: Array<HttpTransport | CustomsEmulator> = [];
afterEach(async () => {
  await Promise.all(open.map((t) => t.close()));
  open = [];
});

async function start(options = {}) {
  const http = await startHttpTransport(fakeEngine(), options);
  open.push(http);
  return http;
}

interface Answer {
  status: number;
  body: string;
}

/** A request with exactly these headers (a missing Host is sent as the connection's address). */
function send(
  http: { port: number },
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: http.port,
        path,
        method,
        agent: false,
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => void (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The 400 answer to a path a URL parser reads as `read`, in the form of the side the path as written names (JSON for /admin/…). */
function notNormalized(path: string, read: string): string {
  const message = `the request target's path ${JSON.stringify(path)} is not a normalized path (a URL parser reads it as ${JSON.stringify(read)}); send it without "\\", "." or ".." segments`;
  return path.startsWith('/admin/')
    ? `${JSON.stringify({ error: { code: 'BAD_URL', message } })}\n`
    : `<?xml version="1.0" encoding="UTF-8"?>\n<Error code="BAD_URL">${message}</Error>\n`;
}

const message = '<?xml version="1.0" encoding="UTF-8"?><CEB311Message><orderNo>O-1</orderNo></CEB311Message>';

describe('HTTP transport: Host and Origin', () => {
  it('serves loopback names at its port without Origin (curl, an order service), and same-origin pages', async () => {
    const http = await start();
    const p = http.port;
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`]) {
      const r = await send(http, 'GET', '/admin/received', { Host: host });
      expect([host, r.status]).toEqual([host, 200]);
    }
    const post = await send(http, 'POST', '/ceb', { Host: `127.0.0.1:${p}`, 'Content-Type': 'text/plain' }, message);
    expect(post.status).toBe(200);
    // A page served by the emulator's own origin (or another loopback name of it) may call it.
    const same = await send(http, 'POST', '/admin/advance?by=2h', {
      Host: `127.0.0.1:${p}`,
      Origin: `http://localhost:${p}`,
    });
    expect([same.status, JSON.parse(same.body)]).toEqual([200, { now: '2026-11-20T12:00:00.000+08:00' }]);
  });

  it('refuses a foreign Host with 403, before reading anything (DNS rebinding)', async () => {
    const http = await start();
    const p = http.port;
    for (const host of [
      `attacker.example:${p}`,
      'attacker.example',
      `localhost:${p + 1}`,
      `127.0.0.1`,
      `localhost.:${p}`,
    ]) {
      const r = await send(http, 'GET', '/admin/received', { Host: host });
      expect(r.status, host).toBe(403);
      const error = JSON.parse(r.body).error;
      expect(error.code).toBe('FORBIDDEN_HOST');
      expect(error.message).toContain(`the Host header ${JSON.stringify(host)} is not this emulator's`);
      expect(error.message).toContain('--allow-host NAME');
    }
    // /ceb answers in XML, as its other refusals do; the engine never saw the message.
    const ceb = await send(
      http,
      'POST',
      '/ceb',
      { Host: `attacker.example:${p}`, 'Content-Type': 'text/plain' },
      message,
    );
    expect(ceb.status).toBe(403);
    expect(ceb.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error code="FORBIDDEN_HOST">refused: /);
    const health = await send(http, 'GET', '/health', { Host: `127.0.0.1:${p}` });
    expect(health.status).toBe(200);
    const received = await send(http, 'GET', '/admin/received', { Host: `127.0.0.1:${p}` });
    expect(JSON.parse(received.body).received).toEqual([]);
  });

  it('refuses a foreign Origin with 403 (a cross-site POST), even with a loopback Host', async () => {
    const http = await start();
    const p = http.port;
    const before = await send(http, 'GET', '/health', { Host: `127.0.0.1:${p}` });
    for (const origin of [
      'http://attacker.example',
      `http://attacker.example:${p}`,
      'null',
      `https://127.0.0.1:${p}`,
    ]) {
      const adv = await send(http, 'POST', '/admin/advance?by=1d', { Host: `127.0.0.1:${p}`, Origin: origin });
      expect([origin, adv.status, JSON.parse(adv.body).error.code]).toEqual([origin, 403, 'FORBIDDEN_ORIGIN']);
      const ceb = await send(
        http,
        'POST',
        '/ceb',
        { Host: `127.0.0.1:${p}`, Origin: origin, 'Content-Type': 'text/plain' },
        message,
      );
      expect(ceb.status).toBe(403);
    }
    // The clock did not move, nothing was received.
    expect((await send(http, 'GET', '/health', { Host: `127.0.0.1:${p}` })).body).toBe(before.body);
    expect(JSON.parse((await send(http, 'GET', '/admin/received', { Host: `127.0.0.1:${p}` })).body).received).toEqual(
      [],
    );
  });

  it('answers to the names the user allows (allowedHosts, --allow-host), and refuses a malformed one', async () => {
    const http = await start({ allowedHosts: ['emulator.test', 'proxy.test:443'] });
    const p = http.port;
    expect((await send(http, 'GET', '/health', { Host: `emulator.test:${p}` })).status).toBe(200);
    expect((await send(http, 'GET', '/health', { Host: 'proxy.test:443' })).status).toBe(200);
    expect(
      (await send(http, 'GET', '/health', { Host: `127.0.0.1:${p}`, Origin: `http://emulator.test:${p}` })).status,
    ).toBe(200);
    expect((await send(http, 'GET', '/health', { Host: 'emulator.test:1' })).status).toBe(403);
    await expect(startHttpTransport(fakeEngine(), { allowedHosts: ['http://x.test/'] })).rejects.toThrow(
      'allowed host "http://x.test/" is not a host name or address',
    );
  });
});

describe('a request target that is not a path', () => {
  it('is answered 400 BAD_URL, not 404 and not a crash', async () => {
    const http = await start();
    const at = { Host: `127.0.0.1:${http.port}` };
    // A doubled "/" is an empty path segment, not a host (new URL would read `//admin/received` as host admin and
    // path /received): refused, naming the path meant, wherever it is, with or without a query; in the form of the
    // endpoint meant (JSON for /admin/…).
    const doubled = (path: string, meant: string) =>
      `the request target's path "${path}" has an empty segment (a doubled "/"); ask for "${meant}"`;
    for (const [target, path, meant] of [
      ['//admin/received', '//admin/received', '/admin/received'],
      ['//admin/received?after=0', '//admin/received', '/admin/received'],
      ['/admin//received', '/admin//received', '/admin/received'],
    ]) {
      const r = await send(http, 'GET', target!, at);
      expect([target, r.status, r.body]).toEqual([
        target,
        400,
        `${JSON.stringify({ error: { code: 'BAD_URL', message: doubled(path!, meant!) } })}\n`,
      ]);
    }
    for (const [target, meant] of [
      ['///receipts', '/receipts'],
      ['//', '/'],
      ['//[', '/['],
    ]) {
      const r = await send(http, 'GET', target!, at);
      // The CEB side's form (XML).
      expect([target, r.status, r.body]).toEqual([
        target,
        400,
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error code="BAD_URL">${doubled(target!, meant!)}</Error>\n`,
      ]);
    }
    // A path a URL parser reads otherwise is refused, not served at what the parser made of it (`..` was served at
    // /admin/received, `\` answered 404 for /received).
    for (const [target, read] of [
      ['/x/../admin/received', '/admin/received'],
      ['/./admin/received?after=0', '/admin/received'],
      ['/\\admin/received', '/received'],
      ['/admin/received/.', '/admin/received/'],
    ]) {
      const r = await send(http, 'GET', target!, at);
      expect([target, r.status, r.body]).toEqual([target, 400, notNormalized(target!.replace(/\?.*/, ''), read!)]);
    }
    // A doubled "/" in the query is not in the path.
    expect((await send(http, 'GET', '/health?x=//y', at)).status).toBe(200);
    expect((await send(http, 'GET', '/health', at)).status).toBe(200);
  });
});

describe('a request target in absolute-form (http://host/path, what a client sends a proxy)', () => {
  it("is served at its path when its host is the emulator's, whatever the Host header says (RFC 9112 §3.2.2)", async () => {
    const http = await start();
    const p = http.port;
    for (const host of [`127.0.0.1:${p}`, `LOCALHOST:${p}`])
      for (const header of [`127.0.0.1:${p}`, `attacker.example:${p}`]) {
        const r = await send(http, 'GET', `http://${host}/admin/received?after=0`, { Host: header });
        expect([host, header, r.status, JSON.parse(r.body).received]).toEqual([host, header, 200, []]);
      }
  });

  it("is refused 403 when its host is not the emulator's, even with a loopback Host header (it was routed by its path)", async () => {
    const http = await start();
    const p = http.port;
    for (const host of [`attacker.example:${p}`, 'attacker.example', `localhost:${p + 1}`]) {
      const r = await send(http, 'GET', `http://${host}/admin/received`, { Host: `127.0.0.1:${p}` });
      const error = JSON.parse(r.body).error;
      expect([host, r.status, error.code]).toEqual([host, 403, 'FORBIDDEN_HOST']);
      expect(error.message).toContain(`the request target's host ${JSON.stringify(host)} is not this emulator's`);
    }
    // (the CEB side answers in XML and never hands the message to the engine)
    const ceb = await send(
      http,
      'POST',
      `http://attacker.example:${p}/ceb`,
      { Host: `127.0.0.1:${p}`, 'Content-Type': 'text/plain' },
      message,
    );
    expect([ceb.status, ceb.body]).toEqual([
      403,
      expect.stringMatching(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error code="FORBIDDEN_HOST">refused: /),
    ]);
  });

  it('is checked for a doubled "/" as a path is, and any other target that is no path is 400 BAD_URL, not 404', async () => {
    const http = await start();
    const p = http.port;
    const at = { Host: `127.0.0.1:${p}` };
    const doubled = await send(http, 'GET', `http://127.0.0.1:${p}//admin/received`, at);
    expect([doubled.status, JSON.parse(doubled.body).error]).toEqual([
      400,
      {
        code: 'BAD_URL',
        message:
          'the request target\'s path "//admin/received" has an empty segment (a doubled "/"); ask for "/admin/received"',
      },
    ]);
    // A path a URL parser reads otherwise, as in the origin-form: it was served at the parsed path (`..` at
    // /admin/received, `/\admin` at //admin/received's endpoint, past the doubled-"/" refusal; Node refuses `\admin`).
    for (const [path, read] of [
      ['/x/../admin/received', '/admin/received'],
      ['/\\admin/received', '//admin/received'],
      ['/admin/./received', '/admin/received'],
    ] as const) {
      const r = await send(http, 'GET', `http://127.0.0.1:${p}${path}`, at);
      expect([path, r.status, r.body]).toEqual([path, 400, notNormalized(path, read)]);
    }
    expect((await send(http, 'GET', `http://127.0.0.1:${p}`, at)).status).toBe(404);
    for (const target of [`https://127.0.0.1:${p}/health`, '*']) {
      const r = await send(http, 'GET', target, at);
      expect([target, r.status, r.body]).toEqual([
        target,
        400,
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error code="BAD_URL">the request target is not a URL path</Error>\n',
      ]);
    }
  });
});

describe('POST /admin/advance past the end of time', () => {
  it('is refused with 400 and a reason; the clock stays where it was', async () => {
    const customs = await createCustomsEmulator({ clock: 'manual', start: '2026-11-20T02:00:00Z', folder: false });
    open.push(customs);
    const url = new URL(customs.url!);
    const at = { Host: url.host };
    const server = { port: Number(url.port) };
    for (const [by, text] of [
      ['99999999999999999999999', 'by must be at most 9007199254740991 milliseconds, got "99999999999999999999999"'],
      ['9007199254740993', 'by must be at most 9007199254740991 milliseconds, got "9007199254740993"'],
      ['8640000000000001', 'advance 8640000000000001 would move the clock past 9999-12-31 23:59:59 Beijing time'],
      ['999999999999d', 'advance "999999999999d" would move the clock past 9999-12-31 23:59:59 Beijing time'],
      ['99999999999999999999d', 'advance must be a duration of at most 9007199254740991 of its unit'],
    ]) {
      const r = await send(server, 'POST', `/admin/advance?by=${by}`, at);
      expect([by, r.status]).toEqual([by, 400]);
      expect(JSON.parse(r.body).error.message).toContain(text);
    }
    expect(customs.now().toISOString()).toBe('2026-11-20T02:00:00.000Z');
    // Up to the last time there is, it moves; then not a millisecond further.
    const last = Date.UTC(9999, 11, 31, 16) - 1;
    const step = last - customs.now().getTime();
    expect((await send(server, 'POST', `/admin/advance?by=${step}`, at)).status).toBe(200);
    expect(customs.now().getTime()).toBe(last);
    expect((await send(server, 'POST', '/admin/advance?by=1', at)).status).toBe(400);
    await expect(customs.advance(1)).rejects.toThrow('would move the clock past');
    expect(customs.now().getTime()).toBe(last);
  });
});
