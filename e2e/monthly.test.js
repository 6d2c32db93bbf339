// A street clerk opens the monthly statistics (月报) from the menu, picks last month, downloads the
// form, and copies the paragraph for publicity; without scripts the paragraph is still a
// readonly box to select; on a phone the page fits the screen.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { startServer } = require('./server');
const { launchBrowser, inContext, login, submitAndWait } = require('./browser');

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

test('a street clerk opens the month, downloads the form and copies the paragraph', async () => {
  const opts = { acceptDownloads: true, permissions: ['clipboard-read', 'clipboard-write'] };
  await inContext(browser, server, 'monthly', opts, async ({ page, dialogs }) => {
    await login(page, server.url, 'donghu', server.password);
    assert.equal(await page.locator('header nav a[href="/stats/monthly"]').count(), 1, 'in the menu');
    await page.goto(`${server.url}/stats/monthly`);
    assert.equal(new URL(page.url()).pathname, '/stats/monthly');
    assert.match(await page.locator('h1').innerText(), /月度统计/);
    // The street's own figures by default; pick the second month offered (an earlier one).
    const options = await page.locator('#m-month option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(options.length >= 2, `months offered: ${options}`);
    await page.selectOption('#m-month', options[1]);
    await submitAndWait(page, page.locator('form.search button[type=submit]'));
    assert.equal(new URL(page.url()).searchParams.get('month'), options[1]);
    const caption = await page.locator('table.monthly-table caption').innerText();
    assert.match(caption, /东湖街道/);
    assert.equal(await page.locator('table.monthly-table tbody tr').count(), 19, 'total, 7 categories, 3 forms, 3 + 3 items, 2 needs');
    // The download is the .xlsx form.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`a[href^="/stats/monthly.xlsx?month=${options[1]}"]`).click(),
    ]);
    assert.match(download.suggestedFilename(), /月报表.*\.xlsx$/);
    const file = await download.path();
    const head = fs.readFileSync(file).subarray(0, 2).toString();
    assert.equal(head, 'PK', 'an .xlsx is a zip');
    // Copy the paragraph: the clipboard holds the text box's words, and the page says so.
    const text = await page.locator('#summary').inputValue();
    assert.match(text, /东湖街道/);
    const copy = page.locator('button[data-copy=summary]');
    assert.equal(await copy.isVisible(), true, 'the copy button shows with scripts');
    await copy.click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
    assert.match(await page.locator('.copy-status').innerText(), /已复制/);
    assert.deepEqual(dialogs, []);
  });
});

test('without scripts the paragraph is a readonly box; on a phone the page fits', async () => {
  await inContext(browser, server, 'monthly-nojs', { javaScriptEnabled: false, viewport: { width: 390, height: 800 } }, async ({ page }) => {
    await login(page, server.url, 'donghu', server.password);
    const res = await page.goto(`${server.url}/stats/monthly`);
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('#summary').getAttribute('readonly'), '');
    assert.equal(await page.locator('button[data-copy=summary]').isVisible(), false, 'no dead button without scripts');
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= 390, `the page is ${scroll}px wide on a phone`);
    // A bad month comes back with the message next to the picker.
    const bad = await page.goto(`${server.url}/stats/monthly?month=2026-13`);
    assert.equal(bad.status(), 422);
    assert.match(await page.locator('.error[role=alert]').innerText(), /2026-13/);
  });
});
