// The campaign pages on a 375-px phone, in Chinese and in English: each role's pages fit the
// screen (no sideways scrolling of the page) and show no untranslated message keys. Phone and
// desktop screenshots of every page go to test-results/ for review.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const {
  launchBrowser, inContext, login, submitAndWait, screenshot,
} = require('./browser');

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

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const TAX_TEAM = '明湖区税务局学雷锋志愿服务队';

// Who opens what; TEAM stands for the tax bureau's demo team page.
const PAGES = [
  ['admin', ['/board']],
  ['shuiwu', ['TEAM', '/traffic']],
  ['jiaojing', ['/traffic']],
  ['donghu', ['/checkins']],
  ['chunxiao', ['/checkins']],
  ['volunteer', ['/me/record']],
  [null, ['/join']],
];

// A message key shown instead of its text ("board.late", "roster.status.draft").
const RAW_KEY = /\b(?:nav|board|roster|teams|checkin|traffic|field|err|import|flash|campaign|record|join|hint|action|filter|list|managers|invite|sex|form)\.[a-z_]+(?:\.[a-z_]+)*\b/g;

function scrollWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

async function teamPath(page) {
  await page.goto(server.url + '/teams');
  const href = await page.locator('table.list').getByRole('link', { name: TAX_TEAM, exact: true })
    .getAttribute('href');
  assert.match(href, /^\/teams\/\d+$/);
  return href;
}

/**
 * Signs in as `user` (none: anonymous) and opens each of their pages in each of `langs`, switching
 * with the header's language button; `check(page, path, lang)` adds its own checks.
 */
async function visit(user, opts, langs, check) {
  const view = opts === PHONE ? 'phone' : 'desktop';
  await inContext(browser, server, `campaign-${user ?? 'anonymous'}-${view}`, opts, async ({ page, dialogs }) => {
    if (user) {
      await login(page, server.url, user, server.password);
      assert.equal(new URL(page.url()).pathname, '/', `${user} signs in`);
    } else {
      await page.goto(server.url + '/login');
    }
    let paths;
    try {
      for (const lang of langs) {
        if (lang !== 'zh-CN') {
          await submitAndWait(page, page.locator('header').getByRole('button', { name: 'English' }));
        }
        assert.equal(await page.locator('html').getAttribute('lang'), lang === 'en' ? 'en' : 'zh-CN');
        paths ??= await Promise.all(PAGES.find(([u]) => u === user)[1]
          .map(async (p) => (p === 'TEAM' ? teamPath(page) : p)));
        for (const path of paths) {
          const res = await page.goto(server.url + path);
          assert.equal(res.status(), 200, `${user} ${path}`);
          const keys = (await page.locator('body').innerText()).match(RAW_KEY) ?? [];
          assert.deepEqual(keys, [], `${user} ${path} (${lang}): untranslated keys`);
          await check(page, path, lang);
          const name = path.startsWith('/teams/') ? '/team' : path;
          await screenshot(page, `campaign-${view}-${lang}-${user ?? 'anonymous'}${name.replace(/\//g, '-')}.png`);
        }
      }
    } finally {
      // Back to Chinese: the choice is kept with the account, for the tests that sign in later.
      if (langs.includes('en')) {
        await page.goto(server.url + (user ? '/' : '/login'));
        const zh = page.locator('header').getByRole('button', { name: '中文' });
        if (await zh.count()) await submitAndWait(page, zh);
      }
    }
    assert.deepEqual(dialogs, []);
  });
}

test('campaign pages fit a 375-px phone, in Chinese and in English', async () => {
  for (const [user] of PAGES) {
    await visit(user, PHONE, ['zh-CN', 'en'], async (page, path, lang) => {
      const w = await scrollWidth(page);
      assert.ok(w <= 375 + 1, `${user ?? 'anonymous'} ${path} (${lang}): scrollWidth ${w}, wider than the phone`);
      // Lists turn into cards: no header row to scroll sideways for.
      for (const thead of await page.locator('table.list thead').all()) {
        assert.equal(await thead.isVisible(), false, `${path}: a table header row is shown on the phone`);
      }
    });
  }
});

test('campaign pages on a desktop (screenshots for review)', async () => {
  for (const [user] of PAGES) {
    await visit(user, DESKTOP, ['zh-CN'], async (page, path) => {
      const w = await scrollWidth(page);
      assert.ok(w <= 1280, `${path}: scrollWidth ${w}`);
    });
  }
});

// ---- layout details found by the first runs of this suite

/** Buttons, links and inputs in main that stick out of a box that clips or scrolls them. */
function clippedControls(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('main a, main button, main input:not([type=hidden]), main select')) {
      const r = el.getBoundingClientRect();
      if (!r.width) continue;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX === 'visible') continue;
        const ar = a.getBoundingClientRect();
        if (r.right > ar.right + 1 || r.left < ar.left - 1) {
          out.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.name || '').trim()}"`);
          break;
        }
      }
    }
    return [...new Set(out)];
  });
}

test('the return button of a check-in is not cut off', async () => {
  for (const opts of [PHONE, DESKTOP]) {
    await inContext(browser, server, 'campaign-checkin-return', opts, async ({ page }) => {
      await login(page, server.url, 'admin', server.password);
      await page.goto(server.url + '/checkins');
      assert.ok(await page.getByRole('button', { name: '退回' }).count() > 0, 'the demo has check-ins to confirm');
      assert.deepEqual(await clippedControls(page), []);
    });
  }
});

test('the roster\'s Remove buttons are not cut off in English', async () => {
  await inContext(browser, server, 'campaign-team-en', DESKTOP, async ({ page }) => {
    await login(page, server.url, 'shuiwu', server.password);
    try {
      await submitAndWait(page, page.locator('header').getByRole('button', { name: 'English' }));
      await page.goto(server.url + await teamPath(page));
      assert.deepEqual(await clippedControls(page), []);
    } finally {
      await page.goto(server.url + '/');
      await submitAndWait(page, page.locator('header').getByRole('button', { name: '中文' }));
    }
  });
});
