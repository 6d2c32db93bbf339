// Every demo role's home on a 375-px phone: the workbench says what is due (with its state and
// date), fits the screen, and every item's link opens a page without an error.
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

// What each role's home must show besides its to-do list.
const ROLES = [
  ['admin', '全区进度'],
  ['donghu', '逾期未完成的单位和社区'],
  ['chunxiao', '每月至少开展一次活动'],
  ['shuiwu', '每月至少开展一次活动'],
  ['jiaojing', '已上报的文明交通劝导员名单'],
  ['volunteer', '我的志愿服务'],
];

for (const [user, section] of ROLES) {
  test(`${user}: the home on a phone lists due items whose links work`, async () => {
    await inContext(browser, server, `workbench-${user}`, PHONE, async ({ page }) => {
      await login(page, server.url, user, server.password);
      assert.equal(new URL(page.url()).pathname, '/');
      const main = await page.locator('main').innerText();
      assert.ok(main.includes(section), `${user}'s home shows "${section}"`);
      assert.ok(!main.includes('目前没有需要处理的事项'), `${user} has something to do in the demo`);
      const items = page.locator('ul.todos').first().locator('li');
      const n = await items.count();
      assert.ok(n > 0, `${user} has to-do items`);
      const states = await items.locator('.status').allInnerTexts();
      assert.ok(states.every((s) => ['已逾期', '待办', '等待他人处理'].includes(s.trim())), `states: ${states}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375 + 1, `${user}'s home is ${width} px wide`);
      await screenshot(page, `mobile-workbench-${user}.png`);
      // One visit per page: links to two findings of one inspection differ only in the fragment
      // (a same-page jump that answers no response).
      const links = [...new Set(await items.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href').split('#')[0])))];
      for (const href of links.slice(0, 8)) {
        const res = await page.goto(server.url + href);
        assert.equal(res.status(), 200, `${user}: ${href} opens`);
        assert.equal(await page.locator('.error[role=alert]').count(), 0, `${user}: ${href} shows no error`);
      }
    });
  });
}
