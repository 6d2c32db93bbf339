// Accessibility (WCAG 2.1 A and AA) with axe-core on every page each demo role can reach, in
// both languages, on a 375-px phone and a 1366-px desktop; and no untranslated Chinese labels on
// English pages. Each role walks the links of its pages (one visit per route, ids folded), so a
// page added later is checked without being listed here.
//
//   A11Y_ROLES=admin,volunteer   only these roles (default: every demo role and the signed-out)
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const fs = require('node:fs');
const path = require('node:path');
const { launchBrowser, inContext, login, RESULTS } = require('./browser');

const AXE = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const WIDTHS = [{ width: 1366, height: 900 }, { width: 375, height: 740 }];
const MAX_PAGES = 70;
// Downloads, files and forms that only post are not pages to check.
const SKIP = /\.(xlsx|ics|json|csv|png|jpe?g|svg|pdf)$|\/photos\/|\/files\/|\/plan-file$|^\/logout$|^\/static\//;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** One visit per route: `/teams/12/edit` and `/teams/3/edit` are the same page. */
function routeOf(path) {
  return path.replace(/\/\d+(?=\/|$)/g, '/{id}').replace(/\/[A-Z0-9]{6,}-?[A-Z0-9-]*(?=\/|$)/g, '/{no}');
}

/** The page as axe needs to see it: every delete confirmation is one template with a name. */
function layoutOf(route) {
  return /\/\{id\}\/delete$/.test(route) ? 'delete confirmation' : route;
}

// Pages that differ by role (what one may do there) are checked for each role; the others once,
// by the first role that reaches them.
const PER_ROLE = new Set(['/', '/activities/{id}', '/teams/{id}', '/traffic', '/inspections/{id}']);
const checked = new Set();

/** Same-origin GET links of the page, without query and fragment. */
async function linksOf(page) {
  const base = new URL(server.url);
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.href));
  const out = [];
  for (const h of hrefs) {
    const u = new URL(h);
    if (u.origin !== base.origin || SKIP.test(u.pathname)) continue;
    out.push(u.pathname);
  }
  return out;
}

/** Runs axe on the page as it is; answers one line per violation and node. */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: AXE });
  }
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(1, 2).join('').trim()}`),
      count: v.nodes.length,
    }));
  }, TAGS);
  return result.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.count}): ${n}`));
}

/**
 * Chinese text on an English page where a label belongs: options of fixed lists, headers, labels,
 * buttons, the menu, statuses. Names and titles people typed are data and may stay Chinese;
 * options whose value is a number name such data (a team, a street).
 */
async function chineseLabels(page) {
  return page.evaluate(() => {
    const han = /[\u3400-\u9fff]/;
    // A document in Chinese by design (the certificate) is not an English page.
    if (document.documentElement.lang !== 'en') return [];
    const sel = 'option, th, label, legend, button, summary, dt, .status, header nav a, .hint, caption';
    const out = [];
    for (const el of document.querySelectorAll(sel)) {
      if (el.closest('[lang]:not(html)') || el.closest('[translate=no]')) continue;
      if (el.tagName === 'OPTION' && /^\d+$/.test(el.value)) continue;
      // A checkbox's label names whom it picks (a person on a roster).
      if (el.tagName === 'LABEL' && el.querySelector('input')) continue;
      const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
      if (han.test(own)) out.push(`${el.tagName.toLowerCase()}: ${own.slice(0, 40)}`);
    }
    return [...new Set(out)];
  });
}

/** Switches the language with the header's button (the choice is remembered for the session). */
async function chooseLanguage(page, lang) {
  await page.goto(`${server.url}/`);
  const button = page.locator(`header form[action="/lang"] button[value="${lang}"]`);
  if (await button.count()) {
    await Promise.all([page.waitForNavigation(), button.click()]);
  }
  assert.equal(await page.locator('html').getAttribute('lang'), lang);
}

/** Checks the page shown unless a page of its layout was checked already in `lang`. */
async function check(page, path, lang, who, problems) {
  const route = routeOf(path);
  const key = `${lang} ${PER_ROLE.has(route) ? `${who} ` : ''}${layoutOf(route)}`;
  if (checked.has(key)) return;
  checked.add(key);
  for (const size of WIDTHS) {
    await page.setViewportSize(size);
    for (const v of await axe(page)) problems.push(`${lang} ${size.width}px ${path}: ${v}`);
  }
  await page.setViewportSize(WIDTHS[0]);
  if (lang === 'en') {
    for (const c of await chineseLabels(page)) problems.push(`en ${path}: untranslated ${c}`);
  }
}

/** Whether `path` opened as a page (not an error, not a download). */
async function open(page, path) {
  const res = await page.goto(server.url + path);
  return res && res.status() < 400 && (res.headers()['content-type'] || '').includes('text/html');
}

/**
 * Walks the pages reachable from `start` in the language shown, checking each; answers the
 * paths of the pages found, one per route.
 */
async function walk(page, start, lang, who, problems) {
  const queue = [...start];
  const seen = new Set();
  const found = [];
  while (queue.length && seen.size < MAX_PAGES) {
    const path = queue.shift();
    const route = routeOf(path);
    if (seen.has(route)) continue;
    seen.add(route);
    if (!(await open(page, path))) continue;
    found.push(path);
    await check(page, path, lang, who, problems);
    for (const l of await linksOf(page)) {
      if (!seen.has(routeOf(l))) queue.push(l);
      // A certificate's public check is named on it, not linked.
      const cert = l.match(/^\/certificates\/([^/]+)$/);
      if (cert) queue.push(`/verify/${cert[1]}`);
    }
  }
  return found;
}

// The unit first: it may change the most on the pages it shares with others.
const ROLES = ['shuiwu', 'admin', 'donghu', 'chunxiao', 'jiaojing', 'volunteer', null];
const only = process.env.A11Y_ROLES?.split(',');

for (const user of ROLES) {
  const name = user ?? 'signed-out';
  if (only && !only.includes(name)) continue;
  test(`axe: every page of ${name}, zh-CN and en, 375 and 1366 px`, async () => {
    await inContext(browser, server, `a11y-${name}`, { bypassCSP: true }, async ({ page }) => {
      const routes = new Set();
      const problems = [];
      // Each capability's pages first (the walk stops after MAX_PAGES routes).
      const start = user ? ['/', '/me/contact', '/inspections', '/inspections/findings', '/inspections/checklist', '/inspections/new', '/assessment', '/assessment/scheme', '/assessment/adjustments', '/commendations', '/stats', '/stats/monthly', '/site', '/needs', '/needs/figures', '/needs/new'] : ['/', '/site/activities', '/reports', '/verify', '/login', '/join', '/notice', '/honours', '/needs/ask', '/needs/wall'];
      if (user) await login(page, server.url, user, server.password);
      let found = [];
      for (const lang of ['zh-CN', 'en']) {
        await page.setViewportSize(WIDTHS[0]);
        if (user) await chooseLanguage(page, lang);
        else {
          await page.goto(`${server.url}/login`);
          const b = page.locator(`form[action="/lang"] button[value="${lang}"]`);
          if (await b.count()) await Promise.all([page.waitForNavigation(), b.click()]);
        }
        if (lang === 'zh-CN') {
          found = await walk(page, start, lang, name, problems);
        } else {
          // The same pages in English: only those whose layout is not checked yet.
          for (const p of found) {
            const route = routeOf(p);
            if (checked.has(`en ${PER_ROLE.has(route) ? `${name} ` : ''}${layoutOf(route)}`)) continue;
            if (await open(page, p)) await check(page, p, lang, name, problems);
          }
        }
      }
      for (const p of found) routes.add(routeOf(p));
      fs.mkdirSync(RESULTS, { recursive: true });
      fs.writeFileSync(path.join(RESULTS, `a11y-${name}.txt`), problems.join('\n'));
      console.log(`# ${name}: ${routes.size} pages: ${[...routes].sort().join(' ')}`);
      assert.equal(problems.length, 0, `${problems.length} problems:\n${problems.slice(0, 60).join('\n')}`);
      if (user === 'admin') assert.ok(routes.size >= 20, `admin reached only ${routes.size} pages`);
    });
  });
}

test('the menu fits a 1024-px desktop in both languages, folds on phones and closes on Escape', async () => {
  await inContext(browser, server, 'menu', {}, async ({ page }) => {
    await login(page, server.url, 'admin', server.password);
    for (const lang of ['zh-CN', 'en']) {
      await chooseLanguage(page, lang);
      for (const width of [1024, 1366]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${server.url}/board`);
        const boxes = await page.locator('header nav ul.sections > li > a, header nav ul.sections > li > details > summary').evaluateAll((els) => els.map((e) => {
          const r = e.getBoundingClientRect();
          return { text: e.textContent.trim(), right: r.right, height: r.height, line: parseFloat(getComputedStyle(e).lineHeight) };
        }));
        assert.ok(boxes.length >= 5 && boxes.length <= 7, `${boxes.length} sections`);
        for (const b of boxes) {
          assert.ok(b.right <= width, `${lang} ${width}px: "${b.text}" ends at ${b.right}`);
          assert.ok(b.height < 1.6 * b.line, `${lang} ${width}px: "${b.text}" breaks over lines (${b.height}px)`);
        }
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scroll <= width, `${lang} ${width}px: the page is ${scroll}px wide`);
        // A section opens its list on a click and closes on Escape, focus back on it.
        const section = page.locator('header details.section').first();
        await section.locator('summary').click();
        assert.equal(await section.locator('ul a').first().isVisible(), true, 'the section opens');
        await page.keyboard.press('Escape');
        assert.equal(await section.evaluate((d) => d.open), false, 'Escape closes the section');
      }
      // The wide board uses the screen's width.
      const table = await page.locator('table.board').boundingBox();
      assert.ok(table.width > 1200, `the board is ${table.width}px wide on a 1366-px screen`);
    }
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${server.url}/units`);
    const link = page.locator('header nav a[href="/streets"]');
    assert.equal(await link.isVisible(), false, 'the phone menu starts folded');
    await page.locator('header details.menu > summary').click();
    assert.equal(await link.isVisible(), true, 'the section of the page shown is open');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('header details.menu').evaluate((d) => d.open), false, 'Escape closes the menu');
    assert.equal(await page.evaluate(() => document.activeElement.matches('details.menu > summary')), true,
      'focus goes back to the menu button');
    // The compliance grid is compact on a phone.
    await page.goto(`${server.url}/compliance`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    assert.ok(height < 12000, `the phone's compliance page is ${height}px tall`);
    // The skip link is the first thing a keyboard reaches, and leads to the content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  });
});

test('a refused sign-in ties its message to the fields and moves focus to it', async () => {
  await inContext(browser, server, 'login-focus', {}, async ({ page }) => {
    await page.goto(`${server.url}/login`);
    await page.locator('input[name=username]').fill('admin');
    await page.locator('input[name=password]').fill('wrong password');
    await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
    // Focus is on the first field, which names the message (read out with it).
    const focused = await page.evaluate(() => document.activeElement.id);
    assert.equal(focused, 'username', 'focus is on the first field');
    assert.match(await page.locator('#username').getAttribute('aria-describedby'), /login-error/);
    assert.equal(await page.locator('#password').getAttribute('aria-describedby'), 'login-error');
    await page.locator('input[name=username]').fill('');
    await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
    const first = await page.evaluate(() => document.activeElement.getAttribute('aria-invalid'));
    assert.equal(first, 'true', 'focus is on the first field in error');
  });
});
