import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { diskTrouble, isSandanError, messageOf, SandanError } from '../errors.js';
import { describeInput } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { DEFAULT_MAX_XML_BYTES } from '../xml/safety.js';
import { escapeAttrOf, escapeTextOf } from '../xml/serialize.js';
import { receiptMatches } from './state.js';
import { checkEngine, type EmulatorEngine, type OutgoingReceipt, type ReceiptFilter } from './types.js';
import type { PaymentDataRequest } from './payment-data.js';
import { beijingIso } from '../time/beijing.js';

/*
 * The HTTP transport of the customs emulator: what an enterprise's service talks to instead of
 * the customs system. One message per `POST /ceb`, answered with the engine's acknowledgement;
 * receipts fetched with `GET /receipts` (long-poll); admin endpoints for tests. Every answer is
 * complete and has a Content-Length, so connections stay alive between requests; a failure
 * answers with a code and a sentence, never a stack trace.
 */

/** Options of {@link startHttpTransport}. */
export interface HttpTransportOptions {
  /** Interface to listen on; default `127.0.0.1` (the emulator is a local test tool, not a public service). */
  host?: string;
  /** Port; default 0, an ephemeral port (read {@link HttpTransport.url}). */
  port?: number;
  /**
   * Largest request body taken, in bytes; default the XML readers' limit (`DEFAULT_MAX_XML_BYTES`, 50 MiB). The bodies
   * of the requests in flight hold at most four times as much at once: a body beyond is refused with 503 `BUSY`.
   */
  maxBodyBytes?: number;
  /**
   * Most connections open at once; default 256. One more is closed as soon as it is accepted (the client sees its
   * connection reset), until one of the open ones ends: a flood of idle connections cannot take every file descriptor
   * of the process (its state file, the receive folder). Each waiting long-poll and each kept-alive client holds one.
   */
  maxConnections?: number;
  /** Time a client has to send a whole request (headers and body), ms; default 30 000. */
  requestTimeoutMs?: number;
  /** Longest `wait` a long-poll may ask for, ms; default 60 000 (longer waits are cut to it). */
  maxWaitMs?: number;
  /** How long close() lets in-flight requests finish before it cuts their connections, ms; default 5000. */
  closeGraceMs?: number;
  /**
   * Other names the emulator may be reached by (`NAME` or `NAME:PORT`; NAME alone means at the
   * emulator's port), besides the address it listens on and the loopback names `localhost`,
   * `127.0.0.1` and `[::1]`. A request whose `Host` header names anything else, or whose `Origin`
   * header is not one of these, is refused with 403: a web page in a browser on the machine can
   * otherwise read the messages received (DNS rebinding) or post to the emulator (CSRF).
   */
  allowedHosts?: readonly string[];
  /**
   * The platform's platDataOpen endpoint (the URL it registered with customs for the "179" payment data): when given,
   * `POST /admin/payment-data-request` posts the request's `openReq` there, as customs does, and reports the
   * platform's answer. Without it the request is only opened; deliver `openReq` yourself.
   */
  platDataOpen?: string;
  /** How long the platform has to answer an `openReq`, ms; default 10 000. */
  platDataOpenTimeoutMs?: number;
  /**
   * Told about each request the emulator failed to handle (answered 500, or 507 when its state
   * could not be written: a full disk), with the request's method and path; default: nobody.
   */
  onError?: (error: unknown, request: string) => void;
}

/** The names of {@link HttpTransportOptions} (a misspelt allowedHosts or maxBodyBytes kept the default). */
export const HTTP_TRANSPORT_OPTION_NAMES = optionNames<HttpTransportOptions>({
  host: true,
  port: true,
  maxBodyBytes: true,
  maxConnections: true,
  requestTimeoutMs: true,
  maxWaitMs: true,
  closeGraceMs: true,
  allowedHosts: true,
  platDataOpen: true,
  platDataOpenTimeoutMs: true,
  onError: true,
});

/** A running HTTP transport. */
export interface HttpTransport {
  /** `http://host:port`, the port the system gave when 0 was asked for. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * Stops taking connections, answers the waiting long-polls with what there is, waits for the
   * requests in flight (at most `closeGraceMs`) and resolves once every connection is closed.
   * The engine is not closed (its owner does that).
   */
  close(): Promise<void>;
  /**
   * Opens a request for an order's "179" payment data and, with `platDataOpen`, posts its `openReq` to the platform as
   * customs does, with what the platform answered: what `POST /admin/payment-data-request` answers.
   */
  requestPaymentData(orderNo: string, options?: { ebpCode?: string; sessionID?: string }): Promise<PaymentDataAsked>;
}

/** A "179" request and, when the emulator posted it to the platform's platDataOpen, what the platform answered. */
export interface PaymentDataAsked {
  request: PaymentDataRequest;
  platform?: PlatformAnswer;
}

/**
 * The platform's answer to an `openReq`: its HTTP status, its body (the first 64 KiB), and `code` when the body is the
 * JSON answer the specification asks for (`{"code":"10000",…}`); `error` when it could not be reached or did not
 * answer in time.
 */
export interface PlatformAnswer {
  status?: number;
  body?: string;
  code?: string;
  error?: string;
}

/**
 * Content types a `POST /ceb` body may have; the body is taken as it is, whatever the type says.
 * Beside the XML types (and none), the defaults of everyday clients: `fetch` with a string
 * (text/plain) and `curl -d` (application/x-www-form-urlencoded). JSON and multipart are refused
 * (415): such a body is surely not the message.
 */
const BODY_TYPES = new Set([
  '',
  'application/xml',
  'text/xml',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
]);

/** Connections open at once by default (see `maxConnections`): far below the usual limit of 1024 file descriptors. */
const DEFAULT_MAX_CONNECTIONS = 256;

/** How many bodies of the largest size the requests in flight may hold at once (see `maxBodyBytes`). */
const BODIES_AT_ONCE = 4;

/** An answer larger than this is counted with the bodies held (see `send`): a refusal or an acknowledgement is not. */
const SMALL_ANSWER_BYTES = 64 * 1024;

/** An answer that is not the engine's: a status, a stable code and a sentence. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More facts of the problem: members of the JSON answer, attributes of the XML one. */
    readonly facts: Record<string, number> = {},
  ) {
    super(message);
  }
}

/** JSON when the client asks for it (Accept names application/json), XML otherwise. */
function wantsJson(req: IncomingMessage): boolean {
  return /\bapplication\/json\b/i.test(req.headers.accept ?? '');
}

/** An XML document without its declaration, to be embedded in another. */
function withoutDeclaration(xml: string): string {
  return xml.replace(/^\uFEFF?<\?xml[^?]*\?>\s*/, '');
}

/**
 * The XML answer of `GET /receipts`: each receipt's own document (DxpMsg-wrapped when the input
 * was) inside a `<Receipt>` element that carries the list's facts; `next` is the `after` of the
 * next poll.
 */
export function receiptsXml(receipts: readonly OutgoingReceipt[], next: number): string {
  const items = receipts.map((r) => {
    const attrs = [
      ['seq', String(r.seq)],
      ['type', r.type],
      ['name', r.name],
      ['at', r.at],
      ...(r.orderNo !== undefined ? [['orderNo', r.orderNo]] : []),
      ...(r.ebpCode !== undefined ? [['ebpCode', r.ebpCode]] : []),
      ...(r.invtNo !== undefined ? [['invtNo', r.invtNo]] : []),
      ...(r.returnStatus !== undefined ? [['returnStatus', r.returnStatus]] : []),
    ]
      .map(([k, v]) => ` ${k}="${escapeAttrOf(v!)}"`)
      .join('');
    return `<Receipt${attrs}>${withoutDeclaration(r.xml)}</Receipt>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Receipts count="${receipts.length}" next="${next}">${items.join('')}</Receipts>\n`;
}

/**
 * A request target's path, without its query, and the host it names in absolute-form (`http://host:port/path`, what a
 * client sends a proxy), which stands instead of the Host header (RFC 9112 §3.2.2). Of a target of the form `/…` (the
 * origin-form) the path is read as written, and of an absolute-form target the path after its host: new URL would
 * read `//admin/received` as the host `admin` and the path `/received`. Anything else has no path (`''`).
 */
function targetParts(target: string): { path: string; host?: string } {
  if (target.startsWith('/')) return { path: /^[^?#]*/.exec(target)![0] };
  if (/^http:\/\//i.test(target))
    try {
      const u = new URL(target);
      // The path as written here too (u.pathname served `http://h/a/../admin/received` at /admin/received); a `\`
      // ends the host, as WHATWG reads it (Node refuses such a target first). An empty path is `/` (RFC 9112 §3.2.2).
      return { path: /^http:\/\/[^/?#\\]*([^?#]*)/i.exec(target)![1] || '/', host: u.host };
    } catch {
      // (not a URL: no path)
    }
  return { path: '' };
}

/** A host as `name:port`, lower case, an IPv6 address in brackets; undefined when it is not a host. */
function hostKey(text: string, defaultPort: number): string | undefined {
  const t = text.trim().toLowerCase();
  // An IPv6 address without brackets (`::1`) has no port.
  if (!t.startsWith('[') && (t.match(/:/g) ?? []).length > 1)
    return /^[0-9a-f:.]+$/.test(t) ? `[${t}]:${defaultPort}` : undefined;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(t);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65_535)) return undefined;
  return `${m[1]}:${m[2] === undefined ? defaultPort : Number(m[2])}`;
}

/**
 * A query parameter's value, or null when absent. One given twice (`?after=1&after=2`) is refused: which one the
 * client meant is not known, and taking the first would answer another question than the one it thinks it asked.
 */
function param(url: URL, name: string): string | null {
  const all = url.searchParams.getAll(name);
  if (all.length > 1)
    throw new HttpProblem(
      400,
      'BAD_PARAMETER',
      `${name} is given ${all.length} times (${all.map((v) => describeInput(v)).join(', ')}); give it once`,
    );
  return all[0] ?? null;
}

/** A non-negative integer from a query parameter, or `fallback` when absent. */
function intParam(url: URL, name: string, fallback: number): number {
  const text = param(url, name);
  if (text === null || text === '') return fallback;
  if (!/^\d{1,15}$/.test(text)) throw new HttpProblem(400, 'BAD_PARAMETER', `${name} must be a non-negative integer`);
  return Number(text);
}

/** The receipts a query asks for: `orderNo` and `ebpCode` (an empty one is no filter, as before). */
function filterOf(url: URL): ReceiptFilter {
  const orderNo = param(url, 'orderNo') || undefined;
  const ebpCode = param(url, 'ebpCode') || undefined;
  return { ...(orderNo !== undefined && { orderNo }), ...(ebpCode !== undefined && { ebpCode }) };
}

/** The platform's platDataOpen URL, checked: http or https. */
function platformUrl(text: unknown): string {
  let u: URL | undefined;
  try {
    u = typeof text === 'string' ? new URL(text) : undefined;
  } catch {
    u = undefined;
  }
  if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:'))
    throw new SandanError(
      'INVALID_OPTION',
      `platDataOpen must be the platform's http(s) URL, e.g. http://127.0.0.1:8080/platDataOpen, got ${describeInput(text)}`,
    );
  return u.href;
}

/**
 * Whether the request Node could not read is a HEAD: its method opens it in the packet that failed. That packet holds
 * every request a client wrote at once, so the failed one starts after the last blank line before the error. Not told
 * apart, so answered with the body: a request after one with a body, a request line in an earlier packet, and a HEAD
 * whose own body fails at its first byte (the error stands where the next request would start).
 */
function failedRequestIsHead(e: { rawPacket?: Buffer; bytesParsed?: number }): boolean {
  const raw = e.rawPacket;
  if (raw === undefined) return false;
  const before = raw.subarray(0, e.bytesParsed ?? 0).toString('latin1');
  const crlf = before.lastIndexOf('\r\n\r\n');
  const lf = before.lastIndexOf('\n\n');
  const start = Math.max(crlf < 0 ? 0 : crlf + 4, lf < 0 ? 0 : lf + 2);
  return raw.subarray(start, start + 5).toString('latin1') === 'HEAD ';
}

/** Starts the HTTP transport in front of `engine`; resolves once it listens. */
export async function startHttpTransport(
  engine: EmulatorEngine,
  options?: HttpTransportOptions,
): Promise<HttpTransport> {
  checkEngine(engine, 'startHttpTransport');
  const opts = knownOptions(options, 'startHttpTransport', HTTP_TRANSPORT_OPTION_NAMES);
  const wanted = opts.port;
  // (Node's listen throws a RangeError for these, outside the error event handled below)
  if (wanted !== undefined && !(Number.isInteger(wanted) && wanted >= 0 && wanted <= 65535))
    throw new SandanError(
      'INVALID_OPTION',
      `port must be a whole number from 0 to 65535, got ${describeInput(wanted)}`,
    );
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 1)
    throw new SandanError(
      'INVALID_OPTION',
      `maxConnections must be a whole number of at least 1, got ${describeInput(maxConnections)}`,
    );
  const host = opts.host ?? '127.0.0.1';
  const platDataOpen = opts.platDataOpen === undefined ? undefined : platformUrl(opts.platDataOpen);
  const platformTimeout = opts.platDataOpenTimeoutMs ?? 10_000;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_XML_BYTES;
  // Each body is held until it is whole and answered: without a bound on all of them, clients that each send most of
  // a 50 MiB body and wait (within the request timeout) made the emulator hold 50 MiB per connection.
  const maxHeld = BODIES_AT_ONCE * maxBody;
  /** Bytes of the bodies read and not yet answered, and of the answers their clients have not yet taken. */
  let held = 0;
  /** The 503 of a request that would pass `maxHeld`, when `others` bytes are held for other requests. */
  const busyProblem = (others: number) =>
    new HttpProblem(
      503,
      'BUSY',
      `the emulator holds ${others} bytes of other requests' bodies and of answers their clients have not read (at most ${maxHeld} at once, four times the largest body); try again in a moment`,
      { 'Retry-After': '1', Connection: 'close' },
    );
  const maxWait = opts.maxWaitMs ?? 60_000;
  const grace = opts.closeGraceMs ?? 5000;
  for (const name of opts.allowedHosts ?? [])
    if (hostKey(name, 0) === undefined)
      throw new SandanError(
        'INVALID_OPTION',
        `allowed host ${JSON.stringify(name)} is not a host name or address, optionally with :port (e.g. emulator.test or emulator.test:8621)`,
      );
  /** `name:port` of each Host the emulator answers to (set once it listens). */
  const allowed = new Set<string>();
  let closing = false;
  /** Long-polls waiting for a receipt: each ends (answers with what there is) when called. */
  const waiters = new Set<() => void>();

  // An idle connection is kept for a minute (Node's default is 5 s): clients reuse it without
  // racing the server's close, even when a busy engine makes the timers fire late.
  // Connections are checked for the request and headers timeouts every second (Node's default, 30 s, let a
  // request that stalled take up to twice its limit before it was answered).
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const server: Server = createServer({ keepAliveTimeout: 65_000, connectionsCheckingInterval: 1000 }, (req, res) => {
    handle(req, res).catch((e: unknown) => fail(req, res, e));
  });
  server.requestTimeout = requestTimeout;
  server.headersTimeout = Math.min(requestTimeout, 10_000);
  // A waiting long-poll is idle on purpose; the request timeout guards the slow senders.
  server.timeout = 0;
  // Idle connections are cut by the timeouts above only after seconds: within them, a flood could open thousands.
  server.maxConnections = maxConnections;

  /** Each open connection, with the last request read on it (once one is). */
  const sockets = new Map<Socket, { req: IncomingMessage; res: ServerResponse } | undefined>();
  server.on('connection', (s) => {
    sockets.set(s, undefined);
    s.on('close', () => sockets.delete(s));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (sockets.has(req.socket)) sockets.set(req.socket, { req, res });
  });
  // A request Node could not read (a malformed request line or headers, headers too large, a request that did not
  // arrive in time): answered as every other refusal, with a code and a sentence in JSON, and the connection closed.
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // A timeout of a request whose headers were read is the timeout of its body: a request answered without it (a GET,
    // a HEAD, a refusal) gets no second answer after its own, only the close; one not yet answered gets the 408, a
    // HEAD's without a body. Of a request whose headers did not arrive Node gives neither bytes nor method.
    const last = e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? sockets.get(socket as Socket) : undefined;
    const cut = last !== undefined && !last.req.complete ? last : undefined;
    if (cut?.res.headersSent) {
      socket.end();
      return;
    }
    const [status, reason, code, message] =
      e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            'Request Timeout',
            'REQUEST_TIMEOUT',
            `the request did not arrive whole in time (headers within ${server.headersTimeout} ms, the whole request within ${requestTimeout} ms)`,
          ]
        : e.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are too large']
          : [
              400,
              'Bad Request',
              'BAD_REQUEST',
              `the request is not HTTP/1.1 the emulator can read (${e.code ?? 'unreadable'})`,
            ];
    const body = `${JSON.stringify({ error: { code, message } })}\n`;
    // The answer to a HEAD has no body (its client reads none, and took the body for data after the answer).
    const head = cut
      ? cut.req.method === 'HEAD'
      : failedRequestIsHead(e as { rawPacket?: Buffer; bytesParsed?: number });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${head ? '' : body}`,
    );
  });

  /** The answer of a request that sent `Expect: 100-continue`, until its body is read: the 100 is sent then. */
  const toContinue = new Map<IncomingMessage, ServerResponse>();
  // Expect: 100-continue: Node answered 100 at once, so a client told to go on sent a body of 2 GB only to be refused
  // with 413 by its Content-Length. The 100 waits until the body is read (see `body`): a request refused at its
  // headers (too large, a foreign Host, a wrong path or method, a coded body) is answered without it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    toContinue.set(req, res);
    // (a request answered without reading its body is forgotten with its answer)
    res.once('close', () => toContinue.delete(req));
    server.emit('request', req, res);
  });

  // An Expect other than 100-continue: Node answered 417 with an empty body; told as every refusal is.
  server.on('checkExpectation', (req, res) =>
    fail(
      req,
      res,
      new HttpProblem(
        417,
        'EXPECTATION_FAILED',
        `the emulator cannot meet Expect: ${req.headers.expect ?? ''} (only 100-continue); send the request without it`,
        { Connection: 'close' },
      ),
    ),
  );

  /** Whether a large answer of `size` bytes would pass `maxHeld` beside what others hold (alone it always fits). */
  const wouldNotFit = (size: number) => held > 0 && held + size > maxHeld;

  /**
   * Refuses (503) a GET whose answer, built from `items`, would not fit (see `send`), before it is built: the answer
   * holds each item's document, so it is at least as many bytes as their characters. A flood of GETs refused only
   * once their answer was built cost a copy of the list each (its text and its bytes).
   */
  function checkRoom(req: IncomingMessage, items: readonly { xml: string }[]): void {
    if (req.method !== 'GET') return;
    let atLeast = 0;
    // (an engine of the caller's making may hand out entries without their document)
    for (const item of items) atLeast += typeof item.xml === 'string' ? item.xml.length : 0;
    if (atLeast > SMALL_ANSWER_BYTES && wouldNotFit(atLeast)) throw busyProblem(held);
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: string,
    type: string,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    // An answer is held until its client takes it: one that does not read (GET /admin/received of a full history, some
    // 60 MB, again and again) would make the emulator hold every copy. A large answer is counted in `held` until it is
    // sent, and that of a GET is refused with 503 when others fill it (alone it is always sent). The answer of a POST is
    // sent whatever is held: what it answers is done (a message received), and a 503 would have the client send it
    // again; its body, which it repeats at most (a CEB900 quotes up to 1 Mi characters), was counted.
    // (measured before its bytes are made: a refused answer is not copied)
    const length = Buffer.byteLength(body, 'utf8');
    const size = req.method === 'HEAD' ? 0 : length;
    if (size > SMALL_ANSWER_BYTES) {
      if (req.method === 'GET' && wouldNotFit(size)) throw busyProblem(held);
      held += size;
      let done = false;
      const release = () => {
        if (!done) held -= size;
        done = true;
      };
      res.once('finish', release);
      res.once('close', release);
    }
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': String(length),
      'Cache-Control': 'no-store',
      ...(closing && { Connection: 'close' }),
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  const sendJson = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    value: unknown,
    headers: Record<string, string> = {},
  ) => send(req, res, status, `${JSON.stringify(value)}\n`, 'application/json; charset=utf-8', headers);

  /** A problem as JSON (admin, or a client that accepts JSON) or as a small XML document. */
  function fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    let status = 500;
    let code = 'INTERNAL';
    let message = 'the emulator failed to handle the request';
    let headers: Record<string, string> = {};
    let facts: Record<string, number> = {};
    if (e instanceof HttpProblem) {
      ({ status, code, message, headers, facts } = e);
    } else if (isSandanError(e)) {
      // Misuse of an engine call (a bad duration, an unknown scenario): the caller's to fix.
      status = 400;
      code = e.code;
      message = e.message;
    } else if (diskTrouble(e)) {
      // The state's SQLite file on a full (or failing) disk: the client may retry once there is room.
      status = 507;
      code = 'STATE_UNWRITABLE';
      message = `the emulator could not write its state: ${messageOf(e)}`;
    }
    const { path } = targetParts(req.url ?? '');
    if (status >= 500) opts.onError?.(e, `${req.method ?? 'GET'} ${path}`);
    // (a path refused for a doubled "/" is answered in the form of the endpoint it meant)
    const side = path.replace(/\/{2,}/g, '/');
    if (wantsJson(req) || side.startsWith('/admin/') || side === '/health')
      sendJson(req, res, status, { error: { code, message, ...facts } }, headers);
    else
      send(
        req,
        res,
        status,
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error code="${escapeAttrOf(code)}"${Object.entries(facts)
          .map(([k, v]) => ` ${k}="${v}"`)
          .join('')}>${escapeTextOf(message)}</Error>\n`,
        'application/xml; charset=utf-8',
        headers,
      );
  }

  /**
   * The request body, at most `maxBody` bytes (413 beyond, and the connection is not reused), counted in `held` until
   * its answer is sent or its connection closes (503 when the bodies held would pass `maxHeld`).
   */
  async function body(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
    const tooLarge = () =>
      new HttpProblem(413, 'TOO_LARGE', `the body is larger than ${maxBody} bytes`, { Connection: 'close' });
    const busy = () => busyProblem(held - mine);
    let mine = 0;
    let answered = false;
    res.once('close', () => {
      answered = true;
      held -= mine;
      mine = 0;
    });
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > maxBody) throw tooLarge();
    if (held + declared > maxHeld) throw busy();
    // A compressed body would be read as its compressed bytes (a CEB900 "not valid UTF-8"): said for what it is.
    const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (encoding !== '' && encoding !== 'identity')
      throw new HttpProblem(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `the body is sent with Content-Encoding ${JSON.stringify(encoding)}; send it uncompressed`,
        { Connection: 'close' },
      );
    // Node undoes chunked only: a body in another transfer coding (gzip, chunked) would be read as its coded bytes.
    const transfer = (req.headers['transfer-encoding'] ?? '').trim().toLowerCase();
    if (transfer !== '' && transfer !== 'chunked')
      throw new HttpProblem(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `the body is sent with Transfer-Encoding ${JSON.stringify(transfer)}; send it uncompressed (chunked or with a Content-Length)`,
        { Connection: 'close' },
      );
    const waiting = toContinue.get(req);
    if (waiting && !waiting.headersSent) waiting.writeContinue();
    toContinue.delete(req);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBody) throw tooLarge();
        if (held + chunk.length > maxHeld) throw busy();
        // (a chunk read after the answer's close is no longer held once this request's buffer goes)
        if (!answered) {
          held += chunk.length;
          mine += chunk.length;
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof HttpProblem) throw e;
      // The client went away (or was cut at the request timeout) before its body was whole: its doing, not a
      // failure of the emulator to tell onError about; the answer goes nowhere.
      throw new HttpProblem(400, 'ABORTED', `the body did not arrive whole: ${messageOf(e)}`, { Connection: 'close' });
    }
    return Buffer.concat(chunks, size);
  }

  async function json(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown>> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    let value: unknown;
    try {
      // (a byte-order mark first, as sandan's other JSON readers take it)
      value = JSON.parse((await body(req, res)).toString('utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      if (e instanceof HttpProblem) throw e;
      throw new HttpProblem(400, 'BAD_JSON', 'the body is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new HttpProblem(400, 'BAD_JSON', 'the body must be a JSON object');
    return value as Record<string, unknown>;
  }

  /**
   * A client that asks for receipts the history limit has dropped is told so (410, with where
   * the kept receipts start), not served the rest as if nothing were missing.
   */
  function checkKept(after: number): void {
    const { receipts: oldest, nextReceipt } = engine.historyStart();
    // A cursor above the newest receipt was kept from another run (a restart of a memory state, a new state file):
    // told so, not answered with nothing for ever while the receipts it should read pile up below it.
    if (after >= nextReceipt)
      throw new HttpProblem(
        409,
        'RECEIPTS_AHEAD',
        `after=${after} is past the newest receipt (${nextReceipt - 1}): this emulator started over since that cursor was kept; poll from after=0, or from after=${nextReceipt - 1} for new receipts only`,
        {},
        { next: nextReceipt - 1 },
      );
    if (after + 1 < oldest)
      throw new HttpProblem(
        410,
        'RECEIPTS_GONE',
        `receipts ${after + 1} to ${oldest - 1} are no longer kept (the emulator keeps the newest ones only: --history); poll on from after=${oldest - 1}, or read the receive folder`,
        {},
        { oldest, next: oldest - 1 },
      );
  }

  /** Receipts after `after` now, or as soon as one arrives within `wait` ms (an empty list when none does). */
  async function poll(after: number, filter: ReceiptFilter, wait: number): Promise<OutgoingReceipt[]> {
    checkKept(after);
    const now = engine.receipts(after, filter);
    if (now.length > 0 || wait === 0 || closing) return now;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        waiters.delete(done);
        resolve();
      };
      const unsubscribe = engine.onReceipt((r) => {
        if (r.seq > after && receiptMatches(r, filter)) done();
      });
      timer = setTimeout(done, wait);
      waiters.add(done);
    });
    // (a client so slow that more than the history came in while it waited is told so too)
    checkKept(after);
    return engine.receipts(after, filter);
  }

  const ROUTES: Record<
    string,
    Partial<Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>>>
  > = {
    '/ceb': {
      POST: async (req, res) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!BODY_TYPES.has(type) && !type.endsWith('+xml'))
          throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the message as application/xml (or text/xml)');
        const xml = await body(req, res);
        const ack = await engine.submit(xml, { transport: 'http' });
        send(req, res, ack.httpStatus, ack.body, 'application/xml; charset=utf-8', {
          'X-Sandan-Accepted': String(ack.accepted),
          ...(ack.messageType !== undefined && { 'X-Sandan-Message-Type': ack.messageType }),
          // Why it was refused, as submit() and /admin/received say it; the body stays customs' receipt. A header holds
          // no UTF-8 (the reasons are Chinese): percent-encoded, its first 500 characters (a client's header limit is 16 KiB).
          ...(ack.reason !== undefined && { 'X-Sandan-Reason': reasonHeader(ack.reason) }),
        });
      },
    },
    '/receipts': {
      GET: async (req, res, url) => {
        const after = intParam(url, 'after', 0);
        const wait = Math.min(intParam(url, 'wait', 0), maxWait);
        const list = await poll(after, filterOf(url), wait);
        checkRoom(req, list);
        const next = list.length > 0 ? list[list.length - 1]!.seq : after;
        if (wantsJson(req)) sendJson(req, res, 200, { receipts: list, next });
        else send(req, res, 200, receiptsXml(list, next), 'application/xml; charset=utf-8');
      },
    },
    '/health': {
      GET: async (req, res) =>
        sendJson(req, res, 200, { status: closing ? 'closing' : 'ok', now: beijingIso(engine.now().getTime()) }),
    },
    '/admin/received': {
      // ?after=N&limit=M pages through a long history (each entry holds the whole message).
      // `oldest` is the first seq kept; `truncated`, that entries above `after` were dropped.
      GET: async (req, res, url) => {
        const after = intParam(url, 'after', 0);
        const limit = intParam(url, 'limit', Number.MAX_SAFE_INTEGER);
        const oldest = engine.historyStart().received;
        // (the limit is the state's: a page reads only its own messages, not the whole history)
        const list = engine.received(after, limit);
        checkRoom(req, list);
        sendJson(req, res, 200, { received: list, oldest, truncated: after + 1 < oldest });
      },
    },
    '/admin/receipts': {
      GET: async (req, res, url) => {
        const after = intParam(url, 'after', 0);
        const oldest = engine.historyStart().receipts;
        const list = engine.receipts(after, filterOf(url));
        checkRoom(req, list);
        sendJson(req, res, 200, { receipts: list, oldest, truncated: after + 1 < oldest });
      },
    },
    '/admin/advance': {
      POST: async (req, res, url) => {
        const by = param(url, 'by');
        if (by === null || by === '')
          throw new HttpProblem(400, 'BAD_PARAMETER', 'say how far: ?by=2h (or 30m, 1d, ms)');
        // (a number past 2^53 would be read as another one: refused with the text as given)
        if (/^\d+$/.test(by) && !Number.isSafeInteger(Number(by)))
          throw new HttpProblem(
            400,
            'BAD_PARAMETER',
            `by must be at most ${Number.MAX_SAFE_INTEGER} milliseconds, got ${describeInput(by)}`,
          );
        await engine.advance(/^\d+$/.test(by) ? Number(by) : by);
        sendJson(req, res, 200, { now: beijingIso(engine.now().getTime()) });
      },
    },
    '/admin/scenario': {
      POST: async (req, res) => {
        const { orderNo, ebpCode, scenario } = await json(req, res);
        if (typeof orderNo !== 'string' || orderNo === '')
          throw new HttpProblem(400, 'BAD_PARAMETER', 'orderNo must be a non-empty string');
        if (ebpCode !== undefined && (typeof ebpCode !== 'string' || ebpCode === ''))
          throw new HttpProblem(400, 'BAD_PARAMETER', 'ebpCode, when given, must be a non-empty string');
        if (typeof scenario !== 'object' || Array.isArray(scenario))
          throw new HttpProblem(
            400,
            'BAD_PARAMETER',
            'scenario must be an object, e.g. {"reject":{"code":"1313"}}, or null to remove it',
          );
        engine.scenario(orderNo, scenario as Parameters<EmulatorEngine['scenario']>[1], { ebpCode });
        sendJson(req, res, 200, { orderNo, ...(ebpCode !== undefined && { ebpCode }), scenario });
      },
    },
    '/ceb2grab/grab/realTimeDataUpload': {
      // A platform's "179" upload, as customs takes it: the form field payExInfoStr, answered in JSON.
      POST: async (req, res) => {
        const text = (await body(req, res)).toString('utf8');
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const payExInfoStr =
          type === 'application/x-www-form-urlencoded' || !text.trimStart().startsWith('{')
            ? (new URLSearchParams(text).get('payExInfoStr') ?? '')
            : text;
        sendJson(req, res, 200, engine.uploadPaymentData(payExInfoStr));
      },
    },
    '/admin/payment-data-request': {
      // {"orderNo": "…", "ebpCode"?: "…", "sessionID"?: "…"}: customs asks for an order's payment data.
      POST: async (req, res) => {
        const { orderNo, ebpCode, sessionID } = await json(req, res);
        const asked = await requestPaymentData(orderNo as string, {
          ...(ebpCode !== undefined && { ebpCode: ebpCode as string }),
          ...(sessionID !== undefined && { sessionID: sessionID as string }),
        });
        sendJson(req, res, 200, asked);
      },
    },
    '/admin/payment-data': {
      GET: async (req, res, url) => {
        sendJson(req, res, 200, { uploads: engine.paymentDataUploads(intParam(url, 'after', 0)) });
      },
    },
    '/admin/tax-bill-status': {
      // {"invtNo": "…", "status": "3"}: a CEB818 for the inventory's tax bill, answered with the receipt.
      POST: async (req, res) => {
        const { invtNo, status } = await json(req, res);
        sendJson(req, res, 200, await engine.taxBillStatus(invtNo as string, status as '2' | '3'));
      },
    },
  };

  /** Opens a "179" request and, with platDataOpen, asks the platform. */
  async function requestPaymentData(
    orderNo: string,
    options?: { ebpCode?: string; sessionID?: string },
  ): Promise<PaymentDataAsked> {
    const request = engine.requestPaymentData(orderNo, options);
    const platform = platDataOpen === undefined ? undefined : await askPlatform(platDataOpen, request.openReq);
    return { request, ...(platform && { platform }) };
  }

  /** Posts `openReq` to the platform's platDataOpen as customs does (a form, field openReq): what it answered. */
  async function askPlatform(url: string, openReq: string): Promise<PlatformAnswer> {
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ openReq }).toString(),
        signal: AbortSignal.timeout(platformTimeout),
        redirect: 'manual',
      });
      const text = (await r.text()).slice(0, 65_536);
      let code: string | undefined;
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string')
          code = (v as { code: string }).code;
      } catch {
        code = undefined;
      }
      return { status: r.status, body: text, ...(code !== undefined && { code }) };
    } catch (e) {
      return { error: `${url} did not answer: ${messageOf(e)}` };
    }
  }

  /**
   * Refuses (403) a request that names another host than the emulator's (a DNS-rebinding page) or
   * comes from a page of another origin (CSRF). Clients that are no browser (curl, an order
   * service) send the Host they connected to and no Origin.
   */
  function checkHost(req: IncomingMessage, targetHost: string | undefined): void {
    const hint = `this emulator answers to ${[...allowed].join(', ')}; start it with --allow-host NAME (allowedHosts) to be reached by another name`;
    // (HTTP/1.0 clients may send no Host; a browser always does)
    const given = targetHost ?? req.headers.host;
    if (given !== undefined && !allowed.has(hostKey(given, 80) ?? ''))
      throw new HttpProblem(
        403,
        'FORBIDDEN_HOST',
        `refused: ${targetHost === undefined ? 'the Host header' : "the request target's host"} ${JSON.stringify(given)} is not this emulator's; ${hint}`,
      );
    const origin = req.headers.origin;
    if (origin === undefined) return;
    let key: string | undefined;
    try {
      const u = new URL(origin);
      key = u.protocol === 'http:' ? hostKey(u.host, 80) : undefined;
    } catch {
      key = undefined;
    }
    if (key === undefined || !allowed.has(key))
      throw new HttpProblem(
        403,
        'FORBIDDEN_ORIGIN',
        `refused: a request from a web page at ${JSON.stringify(origin)}, not from this emulator's origin; ${hint}`,
      );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const { path, host } = targetParts(target);
    checkHost(req, host);
    if (path === '') throw new HttpProblem(400, 'BAD_URL', 'the request target is not a URL path');
    // A doubled `/` is refused rather than merged: the emulator stands in for customs to test clients, and one that
    // joins its base URL and path into `//` should learn it here.
    if (path.includes('//'))
      throw new HttpProblem(
        400,
        'BAD_URL',
        `the request target's path ${JSON.stringify(path)} has an empty segment (a doubled "/"); ask for ${JSON.stringify(path.replace(/\/{2,}/g, '/'))}`,
      );
    let url: URL;
    try {
      url = new URL(target, 'http://emulator');
    } catch {
      throw new HttpProblem(400, 'BAD_URL', 'the request target is not a URL path');
    }
    // Served at the path as written and checked: a URL parser would serve `/x/../admin/received` at /admin/received
    // and read `/\admin/received` as the host admin, where a client should learn it sent something else.
    if (url.pathname !== path)
      throw new HttpProblem(
        400,
        'BAD_URL',
        `the request target's path ${JSON.stringify(path)} is not a normalized path (a URL parser reads it as ${JSON.stringify(url.pathname)}); send it without "\\", "." or ".." segments`,
      );
    const route = ROUTES[url.pathname];
    if (!route) throw new HttpProblem(404, 'NOT_FOUND', `no endpoint ${url.pathname}`);
    const method = req.method === 'HEAD' && route.GET ? 'GET' : (req.method ?? '');
    const handler = route[method];
    if (!handler) {
      const allow = Object.keys(route).join(', ');
      throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${url.pathname} takes ${allow}`, { Allow: allow });
    }
    await handler(req, res, url);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? 'the port is in use'
          : e.code === 'EADDRNOTAVAIL'
            ? 'no such address here'
            : e.message;
      reject(
        new SandanError(
          'INVALID_OPTION',
          `Cannot listen on ${host}:${opts.port ?? 0}: ${why} (choose another port, or 0 for any free one)`,
          {
            cause: e,
          },
        ),
      );
    });
    server.listen(opts.port ?? 0, host, () => {
      server.removeAllListeners('error');
      // Later server errors (an accept that failed) concern one connection, which Node drops.
      server.on('error', () => {});
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  // The names a Host or Origin header may give: loopback, the address listened on, the user's.
  // Listening on every interface (0.0.0.0, ::), it is reached by the machine's addresses.
  const everywhere =
    host === '0.0.0.0' || host === '::'
      ? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address))
      : [];
  for (const name of ['localhost', '127.0.0.1', '[::1]', shown, ...everywhere, ...(opts.allowedHosts ?? [])]) {
    const key = hostKey(name, port);
    if (key !== undefined) allowed.add(key);
  }

  let closed: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}`,
    host,
    port,
    requestPaymentData,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        // Keep-alive connections between requests go now; busy ones once their answer is sent.
        server.closeIdleConnections();
        for (const end of [...waiters]) end();
        const cut = setTimeout(() => {
          for (const s of sockets.keys()) s.destroy();
        }, grace);
        cut.unref();
        server.once('close', () => clearTimeout(cut));
      });
      return closed;
    },
  };
}

/** A refusal's reason as a header value: its first 500 characters, UTF-8 percent-encoded (a lone surrogate as U+FFFD). */
function reasonHeader(reason: string): string {
  // (String.prototype.toWellFormed: ES2024, in every Node sandan supports; the type library is ES2022)
  const whole = (reason as string & { toWellFormed(): string }).toWellFormed();
  return encodeURIComponent(Array.from(whole).slice(0, 500).join(''));
}
