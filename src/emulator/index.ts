import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandanError } from '../errors.js';
import { manualClock, realClock } from './clock.js';
import { checkNestedEngineOptions, createEngine, ENGINE_OPTION_NAMES } from './engine.js';
import {
  FOLDER_TRANSPORT_OPTION_NAMES,
  startFolderTransport,
  type FolderTransport,
  type FolderTransportOptions,
} from './folder.js';
import {
  HTTP_TRANSPORT_OPTION_NAMES,
  startHttpTransport,
  type HttpTransport,
  type HttpTransportOptions,
  type PaymentDataAsked,
} from './http.js';
import type { PaymentDataUpload } from './payment-data.js';
import type {
  Acknowledgement,
  EmulatorClock,
  EmulatorEngine,
  EmulatorNote,
  EngineOptions,
  OutgoingReceipt,
  ReceiptFilter,
  ReceivedMessage,
  Scenario,
  ScenarioTarget,
} from './types.js';

/*
 * `sandan/emulator`: a local stand-in for the customs system, for testing an order service end
 * to end. createCustomsEmulator starts the engine (the checks, the receipts, the clock, the
 * state) and the two transports enterprises use — HTTP and DXP-like folders — and gives tests
 * the engine's controls. `sandan emulate` starts the same thing as a process.
 */

/** Options of {@link createCustomsEmulator}: the engine's, with defaults for tests, and the transports'. */
export interface CustomsEmulatorOptions extends Omit<EngineOptions, 'store' | 'clock'> {
  /** Where the state lives; default `'memory'` (gone on close). `{ sqlite: path }` survives a restart. */
  store?: EngineOptions['store'];
  /**
   * `'real'` (default): receipts follow in real time (see `timing`). `'manual'`: time stands
   * still until {@link CustomsEmulator.advance}. Or a clock of your own.
   */
  clock?: 'real' | 'manual' | EmulatorClock;
  /** Start of a manual clock (a Date, or a time as {@link manualClock} reads it); default the real time when the emulator starts. */
  start?: Date | string;
  /** The HTTP transport: on by default on 127.0.0.1, an ephemeral port (read `url`); `false` turns it off. */
  http?: boolean | HttpTransportOptions;
  /**
   * The folder transport: on by default. Without `send`/`receive`, a new temporary folder
   * (`<tmp>/sandan-emulator-XXXXXX/{send,receive}`) is made, and removed again by close();
   * `false` turns it off.
   */
  folder?: boolean | Partial<FolderTransportOptions>;
}

// The engine's names and the emulator's own (any other key is misuse: a misspelt requireSignature or certificateDates
// ran the emulator on the other setting). Typed so that a key the emulator adds beside the engine's must be listed.
const CUSTOMS_EMULATOR_OPTION_NAMES = [
  ...ENGINE_OPTION_NAMES,
  ...optionNames<Omit<CustomsEmulatorOptions, keyof EngineOptions>>({ start: true, http: true, folder: true }),
];

/** A running emulator: its addresses and the engine's controls. */
export interface CustomsEmulator {
  /** The HTTP transport's base URL (`http://127.0.0.1:PORT`), or undefined when it is off. */
  readonly url: string | undefined;
  /** The folder transport's folders, or undefined when it is off. */
  readonly folders: { readonly send: string; readonly receive: string } | undefined;
  /** The engine itself (what the transports call). */
  readonly engine: EmulatorEngine;
  /** Submits a message in-process (transport `api`), as `POST /ceb` would. */
  submit(xml: string | Uint8Array): Promise<Acknowledgement>;
  /** Receipts after sequence number `after` (0 = all), optionally of one order (and platform: see {@link ReceiptFilter}). */
  receipts(after?: number, filter?: ReceiptFilter): OutgoingReceipt[];
  /** Called for every new receipt; returns the function that removes the listener. */
  onReceipt(listener: (r: OutgoingReceipt) => void): () => void;
  /**
   * Called for every note added to a received message (its `notes`: an inventory released but sent no tax bill);
   * returns the function that removes the listener.
   */
  onNote(listener: (n: EmulatorNote) => void): () => void;
  /**
   * Moves a manual clock forward (`'2h'`, `'30m'`, `'1d'` or ms) and runs what falls due; resolves
   * once the receipts it produced are also in the receive folder.
   */
  advance(by: string | number): Promise<void>;
  /**
   * Sets the scenario of an order: reject with a code, hold at 500/600 for a while, drop a receipt, or bill customs' own tax figures (taxBill).
   * With `target.ebpCode`, of that platform's order of the number only.
   * `null` removes it, so that a declaration corrected after a scripted rejection runs its course.
   */
  scenario(orderNo: string, scenario: Scenario | null, target?: ScenarioTarget): void;
  /**
   * Sends a CEB818 (电子税单状态) for the tax bill of a released inventory: `'2'` summarised or `'3'` void. Customs
   * sends these, but the specification does not say when; the emulator sends one only when asked.
   */
  taxBillStatus(invtNo: string, status: '2' | '3'): Promise<OutgoingReceipt>;
  /**
   * Asks for an order's "179" payment data, as customs does: opens the request (its `openReq`, `sessionID` and the
   * time until which an upload is taken) and, when the HTTP transport has `platDataOpen`, posts `openReq` to the
   * platform and tells what it answered. Without that the request is only opened: deliver `openReq` yourself.
   */
  requestPaymentData(orderNo: string, options?: { ebpCode?: string; sessionID?: string }): Promise<PaymentDataAsked>;
  /** The "179" uploads received (the newest `history`), after sequence number `after` (default 0). */
  paymentDataUploads(after?: number): PaymentDataUpload[];
  /** What it received and keeps (the newest `history`), after sequence number `after` (default 0), oldest first; at most `limit`. */
  received(after?: number, limit?: number): ReceivedMessage[];
  /**
   * The seq of the oldest received message and of the oldest receipt still kept (see the `history` option); where a
   * list keeps none (nothing yet, or `history: 0`), the seq its next entry will get; and the seq the next receipt
   * will get (`nextReceipt`), kept or not.
   */
  historyStart(): { received: number; receipts: number; nextReceipt: number };
  /**
   * The emulator's time: on a manual clock, its start moved by each {@link CustomsEmulator.advance}. Build the
   * messages you send with it (`buildMessage`'s `now: () => customs.now()`), not with the machine's time.
   */
  now(): Date;
  /** Stops the transports (in-flight requests and files finish, long-polls end), then the engine. */
  close(): Promise<void>;
}

function clockOf(options: CustomsEmulatorOptions): EmulatorClock {
  const c = options.clock ?? 'real';
  if (c === 'real') return realClock();
  if (c === 'manual') return manualClock(options.start ?? new Date());
  if (typeof c === 'object' && c !== null && typeof c.now === 'function') return c;
  throw new SandanError('INVALID_OPTION', `clock must be 'real', 'manual' or a clock object, got ${describeInput(c)}`);
}

/**
 * Starts a customs emulator: the engine and, unless turned off, the HTTP and folder transports.
 * Close it with `close()` (in `afterAll`, or on the way out of a script).
 *
 * With `clock: 'manual'` the time is the emulator's, `customs.now()`: give it as `now` to `buildMessage` (it
 * stamps each document that has no appTime) and to your service's clock, so that the messages are dated on the
 * emulator's day, as its receipts, its quota year and its certificate checks are.
 *
 * @example
 * const customs = await createCustomsEmulator({ clock: 'manual', trust: { certificates: [certPem] } });
 * await fetch(`${customs.url}/ceb`, { method: 'POST', body: signedCeb621Xml });
 * await customs.advance('1h');
 * customs.receipts(0, { orderNo: 'SD202611200001' }); // CEB622 2 → 3 → 120 → 800, then the CEB816
 * await customs.close();
 */
export async function createCustomsEmulator(options: CustomsEmulatorOptions = {}): Promise<CustomsEmulator> {
  options = knownOptions(options, 'createCustomsEmulator', CUSTOMS_EMULATOR_OPTION_NAMES);
  // Inside the nested ones too, before anything is started (true and false turn a transport on and off)
  checkNestedEngineOptions(options, 'createCustomsEmulator');
  if (isRecord(options.http))
    knownOptions(options.http, 'createCustomsEmulator', HTTP_TRANSPORT_OPTION_NAMES, 'INVALID_OPTION', 'http');
  if (isRecord(options.folder))
    knownOptions(options.folder, 'createCustomsEmulator', FOLDER_TRANSPORT_OPTION_NAMES, 'INVALID_OPTION', 'folder');
  const {
    store = 'memory',
    clock: _clock,
    start: _start,
    http: httpOption = true,
    folder: folderOption = true,
    ...rest
  } = options;
  const engine = await createEngine({ ...rest, store, clock: clockOf(options) });
  let http: HttpTransport | undefined;
  let folder: FolderTransport | undefined;
  let temp: string | undefined;
  const stop = async () => {
    await Promise.allSettled([http?.close(), folder?.close()]);
    await engine.close();
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  };
  try {
    if (httpOption !== false) http = await startHttpTransport(engine, httpOption === true ? {} : httpOption);
    if (folderOption !== false) {
      const given = folderOption === true ? {} : folderOption;
      let { send, receive } = given;
      if (send === undefined || receive === undefined) {
        if (send !== undefined || receive !== undefined)
          throw new SandanError('INVALID_OPTION', 'folder: give both send and receive, or neither (a temporary pair)');
        temp = await mkdtemp(join(tmpdir(), 'sandan-emulator-'));
        send = join(temp, 'send');
        receive = join(temp, 'receive');
      }
      folder = await startFolderTransport(engine, { ...given, send, receive });
    }
  } catch (e) {
    await stop();
    throw e;
  }

  let closed: Promise<void> | undefined;
  return {
    url: http?.url,
    folders: folder && { send: folder.send, receive: folder.receive },
    engine,
    submit: (xml) => engine.submit(xml, { transport: 'api' }),
    receipts: (after, filter) => engine.receipts(after, filter),
    onReceipt: (listener) => engine.onReceipt(listener),
    onNote: (listener) => engine.onNote?.(listener) ?? (() => {}),
    async advance(by) {
      await engine.advance(by);
      await folder?.flush();
    },
    scenario: (orderNo, s, target) => engine.scenario(orderNo, s, target),
    async taxBillStatus(invtNo, status) {
      const r = await engine.taxBillStatus(invtNo, status);
      await folder?.flush();
      return r;
    },
    async requestPaymentData(orderNo, o) {
      return http ? http.requestPaymentData(orderNo, o) : { request: engine.requestPaymentData(orderNo, o) };
    },
    paymentDataUploads: (after) => engine.paymentDataUploads(after),
    received: (after, limit) => engine.received(after, limit),
    historyStart: () => engine.historyStart(),
    now: () => engine.now(),
    close() {
      closed ??= stop();
      return closed;
    },
  };
}

export { createEngine } from './engine.js';
export { DEFAULT_TIMING } from './settings.js';
export {
  EmulatorSettingsSchema,
  changedSettings,
  emulatorOptionsOf,
  parseEmulatorSettings,
  type EmulatorSettings,
} from './settings-file.js';
export { manualClock, realClock } from './clock.js';
export {
  DEFAULT_PAYMENT_DATA_WINDOW,
  PAYMENT_DATA_MESSAGES,
  type PaymentDataAnswer,
  type PaymentDataRequest,
  type PaymentDataUpload,
} from './payment-data.js';
export {
  startHttpTransport,
  type HttpTransport,
  type HttpTransportOptions,
  type PaymentDataAsked,
  type PlatformAnswer,
} from './http.js';
export { startFolderTransport, type FolderTransport, type FolderTransportOptions } from './folder.js';
export type {
  Acknowledgement,
  EmulatorClock,
  EmulatorEngine,
  EmulatorNote,
  EmulatorReceiptType,
  EngineOptions,
  OutgoingReceipt,
  ReceiptFilter,
  ReceivedMessage,
  Scenario,
  ScenarioTarget,
  TaxBillScenario,
  Timing,
} from './types.js';
import { describeInput, isRecord } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
/** Thrown on misuse (a bad option, a bad duration); re-exported so that this entry point needs no other import. */
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
