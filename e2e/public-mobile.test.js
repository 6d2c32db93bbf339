// The public site on a 390-px phone, without signing in, in Chinese and in English: the home with
// the district's figures, the activities filtered by category, a report with its photos (each with
// a text alternative), the calendar, the honour roll and the certificate check; nothing wider
// than the screen, no script needed for the filter, and share cards on every page.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const { launchBrowser, inContext, submitAndWait } = require('./browser');

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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function fitsPhone(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client + 1, `${what}: scrollWidth ${scroll} > clientWidth ${client}`);
}

async function shareCard(page, what) {
  for (const p of ['og:title', 'og:description', 'og:image', 'og:url', 'og:type']) {
    const v = await page.locator(`meta[property="${p}"]`).getAttribute('content');
    assert.ok(v, `${what}: ${p}`);
  }
  assert.ok(await page.locator('meta[name="twitter:card"]').count(), `${what}: twitter:card`);
}

const WORDS = {
  'zh-CN': { figures: '注册志愿者', activities: '志愿活动', reports: '活动报道', calendar: '集中活动日', honours: '光荣榜', verify: '证书查验', check: '查验' },
  en: { figures: 'Registered volunteers', activities: 'Activities', reports: 'Reports', calendar: 'Concentrated days', honours: 'Honour roll', verify: 'Check a certificate', check: 'Check' },
};

for (const lang of ['zh-CN', 'en']) {
  test(`an anonymous phone browses the public site in ${lang}`, async () => {
    await inContext(browser, server, `public-${lang}`, PHONE, async ({ page, dialogs }) => {
      const w = WORDS[lang];
      // `/` is the public home, not the sign-in page.
      let res = await page.goto(`${server.url}/`);
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/');
      if (lang === 'en') {
        await submitAndWait(page, page.locator('header form[action="/lang"] button[value="en"]'));
      }
      assert.equal(await page.locator('html').getAttribute('lang'), lang);
      assert.ok(await page.getByText(w.figures).count(), 'the headline figures');
      await shareCard(page, 'home');
      await fitsPhone(page, 'home');

      // Activities, filtered by category with a plain GET form.
      await submitAndWait(page, page.locator('nav.public-nav a', { hasText: w.activities }));
      assert.equal(new URL(page.url()).pathname, '/site/activities');
      await page.locator('select[name=category]').selectOption('public_affairs');
      await submitAndWait(page, page.locator('form.public-filter button[type=submit]'));
      assert.equal(new URL(page.url()).searchParams.get('category'), 'public_affairs');
      assert.equal(await page.locator('select[name=category]').inputValue(), 'public_affairs');
      await shareCard(page, 'activities');
      await fitsPhone(page, 'activities');
      const cards = page.locator('ul.cards li');
      if (await cards.count()) {
        const href = await cards.first().locator('a.button').getAttribute('href');
        assert.match(href, /^\/activities\/\d+$/, 'a way to sign up');
      }

      // A report with its photos.
      await submitAndWait(page, page.locator('nav.public-nav a', { hasText: w.reports }));
      assert.equal(new URL(page.url()).pathname, '/reports');
      await fitsPhone(page, 'reports');
      const withPhoto = page.locator('ul.cards li:has(img.cover) h3 a').first();
      await submitAndWait(page, withPhoto);
      assert.match(new URL(page.url()).pathname, /^\/reports\/\d+$/);
      const photos = page.locator('ul.public-photos img');
      assert.ok((await photos.count()) > 0, 'the report has photos');
      for (const alt of await photos.evaluateAll((imgs) => imgs.map((i) => i.getAttribute('alt')))) {
        assert.ok(alt && alt.trim().length > 0, 'every photo says what it shows');
      }
      const loaded = await photos.first().evaluate((img) => img.decode().then(() => img.naturalWidth, () => 0));
      assert.ok(loaded > 0, 'the photo is served to anyone');
      await shareCard(page, 'report');
      await fitsPhone(page, 'report');

      // The calendar and the honour roll.
      await submitAndWait(page, page.locator('nav.public-nav a', { hasText: w.calendar }));
      assert.equal(new URL(page.url()).pathname, '/calendar');
      await fitsPhone(page, 'calendar');
      await page.goBack();
      res = await submitAndWait(page, page.locator('nav.public-nav a', { hasText: w.honours }));
      assert.ok(res.status() < 400, 'the honour roll opens');
      assert.match(new URL(page.url()).pathname, /^\/honours/);
      await fitsPhone(page, 'honours');
      await page.goBack();

      // The certificate check: a number in, its page out, on this site.
      await submitAndWait(page, page.locator('nav.public-nav a', { hasText: w.verify }));
      assert.equal(new URL(page.url()).pathname, '/verify');
      await fitsPhone(page, 'verify');
      await page.locator('input[name=number]').fill('LFC2026NOSUCHNUMBER');
      await submitAndWait(page, page.locator('main form button[type=submit]'));
      const at = new URL(page.url());
      assert.equal(at.origin, new URL(server.url).origin);
      assert.equal(at.pathname, '/verify/LFC2026NOSUCHNUMBER');
      assert.ok(await page.locator('.status-missing').count(), 'an unknown number is not valid');
      assert.deepEqual(dialogs, []);
    });
  });
}
