/*
 * Opens a generated HTML page in a real Chromium (playwright-core) from a file:// URL with the
 * network blocked, and collects what went wrong: console errors, page errors, dialogs, and any
 * request that is not for the file itself.
 */
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath } from '../helpers/tools.js';

/**
 * The little of the DOM the page checks read (the project's TypeScript has no DOM library;
 * these callbacks run in the browser).
 */
export interface DomElement {
  id: string;
  textContent: string | null;
  classList: { contains(c: string): boolean };
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  getBoundingClientRect(): { width: number; height: number };
}

/** The browser's globals, as the checks use them. */
export interface BrowserGlobals {
  document: { documentElement: DomElement };
  getComputedStyle(el: DomElement, pseudo?: string): { width: string };
  echarts: {
    getInstanceByDom(el: DomElement): { getOption(): { series: Array<{ name: string; data: unknown[] }> } } | undefined;
  };
}

/** Resolves once the report's start script has drawn its charts. */
export async function chartsReady(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    (globalThis as unknown as BrowserGlobals).document.documentElement.hasAttribute('data-charts-ready'),
  );
}

export interface OpenedPage {
  page: Page;
  /** Console errors and warnings (a CSP violation is reported as an error). */
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Requests for anything but the page's own file: each was aborted. */
  offPageRequests: string[];
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}

export async function openPage(browser: Browser, file: string): Promise<OpenedPage> {
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, offline: true });
  const out: OpenedPage = {
    page: await context.newPage(),
    consoleErrors: [],
    pageErrors: [],
    dialogs: [],
    offPageRequests: [],
    close: () => context.close(),
  };
  const { page } = out;
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    out.offPageRequests.push(u);
    return route.abort();
  });
  page.on('request', (r) => {
    if (r.url() !== url) out.offPageRequests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') out.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));
  page.on('dialog', (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return out;
}

/** A table's rows by `data-key`, each as `{ column: text }` from the cells' `data-col`. */
export async function tableRows(page: Page, id: string): Promise<Record<string, Record<string, string>>> {
  return page.$$eval(`#${id} tbody tr`, (trs) =>
    Object.fromEntries(
      (trs as unknown as DomElement[]).map((tr) => [
        tr.getAttribute('data-key') ?? '',
        Object.fromEntries(
          Array.from(tr.querySelectorAll('td')).map((td) => [td.getAttribute('data-col') ?? '', td.textContent ?? '']),
        ),
      ]),
    ),
  );
}
