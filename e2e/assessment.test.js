// The district office reads the live ranking, drills into one unit down to its months and
// activities, looks at last year's frozen ranking, and closes this year's assessment.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

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

test('the district reads the ranking, drills into a unit, and closes the year', async () => {
  await inContext(browser, server, 'assessment', {}, async ({ page }) => {
    await login(page, server.url, 'admin', server.password);
    await page.goto(`${server.url}/assessment?kind=unit`);
    assert.match(await page.locator('#assessment-state').innerText(), /计算于/);
    const rows = page.locator('#ranking tbody tr');
    assert.ok(await rows.count() >= 20, 'every unit is ranked');
    // Drill into the first unit: its points, months and activities.
    await submitAndWait(page, rows.first().locator('td:nth-child(3) a'));
    assert.match(page.url(), /\/assessment\/unit\/\d+/);
    assert.equal(await page.locator('#lines tbody tr').count(), 11, 'ten indicators and the adjustments');
    assert.ok(await page.locator('#months tbody tr').count() >= 9, 'the months of the year');
    assert.match(await page.locator('#assessment-total').innerText(), /得分/);
    // Last year: closed, frozen, and says when.
    await page.goto(`${server.url}/assessment`);
    const lastYear = page.locator('nav.tabs a').first();
    await submitAndWait(page, lastYear);
    assert.match(await page.locator('#assessment-state').innerText(), /已结束考核/);
    // Close this year (the confirmation accepted).
    await page.goto(`${server.url}/assessment`);
    await page.evaluate(() => { window.confirm = () => true; });
    await submitAndWait(page, page.locator('form[action="/assessment/close"] button'));
    assert.match(await page.locator('#assessment-state').innerText(), /已结束考核/);
    assert.equal(await page.locator('form[action="/assessment/close"]').count(), 0);
  });
});
