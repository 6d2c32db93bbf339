// The district's dashboard on a desktop and on a 390-px phone: every chart is drawn as an
// accessible SVG with its numbers as a table, fits the screen, and its workbook downloads.
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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, acceptDownloads: true };
const DESKTOP = { viewport: { width: 1366, height: 900 }, acceptDownloads: true };

for (const [name, opts] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`the district's dashboard on a ${name}`, async () => {
    await inContext(browser, server, `stats-${name}`, opts, async ({ page }) => {
      await login(page, server.url, 'admin', server.password);
      const res = await page.goto(`${server.url}/stats`);
      assert.equal(res.status(), 200);
      const charts = page.locator('section.chart-card');
      assert.ok(await charts.count() >= 6, 'month, category, streets, stars, roster, milestones');
      for (const id of ['month', 'category', 'streets', 'stars', 'roster', 'milestones']) {
        const card = page.locator(`section[aria-labelledby="chart-${id}-h"]`);
        assert.equal(await card.locator('svg[role=img] > title').count(), 1, `${id}: the SVG has a title`);
        assert.ok(await card.locator('table tbody tr').count() > 0, `${id}: its table has rows`);
      }
      // A year of figures: the months chart has bars.
      assert.ok(await page.locator('section[aria-labelledby="chart-month-h"] svg rect').count() > 3);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      const viewport = page.viewportSize().width;
      assert.ok(width <= viewport + 1, `the dashboard is ${width} px wide on ${viewport}`);
      await screenshot(page, `${name}-stats.png`);
      // The months' workbook downloads.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('a[href="/stats/charts/month.xlsx"]').click(),
      ]);
      assert.match(download.suggestedFilename(), /\.xlsx$/);
      const file = await download.path();
      assert.ok(require('node:fs').statSync(file).size > 1000, 'a workbook, not an error page');
      // A street, picked from the list.
      await page.locator('#street_id').selectOption({ index: 1 });
      await Promise.all([page.waitForNavigation(), page.locator('form[action="/stats"] button').first().click()]);
      assert.match(page.url(), /street_id=\d+/);
      assert.equal(await page.locator('section[aria-labelledby="chart-streets-h"]').count(), 0);
    });
  });
}
