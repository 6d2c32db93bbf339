// Browser helpers: Debian's Chromium driven by playwright-core (no browser download), and
// signing in through the real login page.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const RESULTS = path.join(__dirname, 'test-results');

function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * A fresh context (own cookies) and page. Every dialog (alert, confirm...) is recorded in
 * `dialogs` and dismissed, so a test can assert that none fired.
 */
async function newPage(browser, opts = {}) {
  const context = await browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 1280, height: 800 },
    ...opts,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return { context, page, dialogs };
}

/** Clicks `locator` and waits for the page it leads to; resolves to that page's response. */
async function submitAndWait(page, locator) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    locator.click(),
  ]);
  return res;
}

/** Signs in through the login page; resolves to the response of the page it lands on. */
async function login(page, base, username, password) {
  await page.goto(`${base}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  return submitAndWait(page, page.locator('main form button[type=submit]'));
}

/** The hrefs of the navigation menu in the header. */
function menuLinks(page) {
  return page.locator('header nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
}

/** The text of one column (by header text) of the list table, row by row. */
async function column(page, header) {
  const headers = await page.locator('table.list thead th').allInnerTexts();
  const i = headers.map((h) => h.trim()).indexOf(header);
  if (i < 0) throw new Error(`no column "${header}" in [${headers.join(', ')}]`);
  return (await page.locator(`table.list tbody tr td:nth-child(${i + 1})`).allInnerTexts())
    .map((s) => s.trim());
}

async function screenshot(page, name) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The ERROR and WARN lines the server logged so far, without colours or backtraces. */
function serverErrors(server) {
  return server.output()
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((l) => / (ERROR|WARN) |panicked/.test(l))
    .map((l) => `    ${l.trim()}`);
}

/**
 * Runs `fn({ context, page, dialogs })` in a fresh context and closes it after. When `fn` fails,
 * a screenshot of the page is kept as test-results/failed-NAME.png and the server's recent output
 * is added to the error.
 */
async function inContext(browser, server, name, opts, fn) {
  const p = await newPage(browser, opts);
  try {
    await fn(p);
  } catch (e) {
    const file = await screenshot(p.page, `failed-${name}.png`).catch(() => null);
    e.message += `\n  page: ${p.page.url()}${file ? `\n  screenshot: ${file}` : ''}`
      + `\n  server errors (last 5):\n${serverErrors(server).slice(-5).join('\n') || '    (none)'}`;
    throw e;
  } finally {
    await p.context.close();
  }
}

/**
 * The newest one-time code the server wrote to its log for `to` (no SMS provider in the tests;
 * the log masks the number as 139****1234), waiting up to 5 s for the delivery job.
 */
async function codeSentTo(server, to, marker = '') {
  const masked = `${to.slice(0, 3)}****${to.slice(-4)}`;
  for (let i = 0; i < 50; i += 1) {
    // eslint-disable-next-line no-control-regex
    const lines = server.output().replace(/\x1b\[[0-9;]*m/g, '').split('\n')
      .filter((l) => l.includes('written to the log') && l.includes(masked) && l.includes(marker));
    const m = lines.at(-1)?.match(/验证码是 (\d{6})/);
    if (m) return m[1];
    await new Promise((r) => { setTimeout(r, 100); });
  }
  return undefined;
}

module.exports = {
  codeSentTo,
  launchBrowser, newPage, inContext, serverErrors, login, submitAndWait, menuLinks, column, screenshot, RESULTS,
};
