// On a 375-px phone: a street admin's pages fit the screen (no sideways scrolling), lists turn
// into cards, and the folded menu opens. Screenshots go to test-results/.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const { launchBrowser, inContext, login, screenshot } = require('./browser');

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

function scrollWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

test('street admin on a phone: /communities fits 375 px', async () => {
  await inContext(browser, server, 'mobile', PHONE, async ({ page, dialogs }) => {
    await page.goto(server.url + '/login');
    assert.ok(await scrollWidth(page) <= 375 + 1, 'the login page fits');
    await screenshot(page, 'mobile-login.png');
    await login(page, server.url, 'donghu', server.password);
    assert.equal(new URL(page.url()).pathname, '/');

    const res = await page.goto(server.url + '/communities');
    assert.equal(res.status(), 200);
    assert.equal((await page.locator('h1').innerText()).trim(), '社区 (5)');
    await screenshot(page, 'mobile-donghu-communities.png');
    const width = await scrollWidth(page);
    assert.ok(width <= 375 + 1, `document.documentElement.scrollWidth is ${width}, wider than the phone`);

    // The table is shown as cards: no header row, each cell labelled.
    assert.equal(await page.locator('table.list thead').isVisible(), false);
    const card = page.locator('table.list tbody tr').filter({ hasText: '春晓社区' });
    assert.match(await card.innerText(), /春晓社区/);
    const cellBox = await card.locator('td').first().boundingBox();
    assert.ok(cellBox.width > 300, `cells take the card's width (${cellBox.width})`);

    // The menu is folded behind its button and opens on a tap.
    const communitiesLink = page.locator('header nav a[href="/communities"]');
    assert.equal(await communitiesLink.isVisible(), false, 'the menu starts folded');
    await page.locator('header details.menu > summary').tap();
    assert.equal(await communitiesLink.isVisible(), true, 'the menu opens');
    await screenshot(page, 'mobile-donghu-menu.png');

    // The street admin's other pages fit as well.
    for (const path of ['/', '/streets', '/units', '/pairings', '/users', '/account', '/communities/new']) {
      const r = await page.goto(server.url + path);
      assert.equal(r.status(), 200, path);
      const w = await scrollWidth(page);
      assert.ok(w <= 375 + 1, `${path}: scrollWidth ${w}`);
    }
    assert.deepEqual(dialogs, []);
  });
});
