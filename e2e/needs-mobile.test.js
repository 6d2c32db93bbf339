// 四单 in the browser: a resident on a 390-px phone asks for help in zh-CN (consent ticked) and
// keeps the private link; the community publishes the need, the street dispatches it to the tax
// bureau's team, the team accepts (its draft activity opens); the need wall shows it without the
// resident's phone; the resident's link shows the steps taken.
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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' };

function tomorrow() {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

async function fitsThePhone(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client + 1, `${what} is ${scroll}px wide on a ${client}px phone`);
}

test('a resident asks on a phone; the community publishes, the street dispatches, the team accepts', async () => {
  let link;
  const place = `春晓社区${Date.now() % 10000}号楼`;
  await inContext(browser, server, 'needs-resident', PHONE, async ({ page }) => {
    const res = await page.goto(`${server.url}/needs/ask`);
    assert.equal(res.status(), 200);
    assert.equal(await page.locator('h1').first().innerText(), '我要点单');
    await fitsThePhone(page, 'the form');
    const community = page.locator('select[name=community_id]');
    const value = await community.locator('option', { hasText: '春晓社区' }).first().getAttribute('value');
    await community.selectOption(value);
    await page.locator('select[name=category]').selectOption('helping_weak');
    await page.locator('textarea[name=description]').fill('家中老人需要陪伴聊天和打扫卫生。');
    await page.locator('input[name=place]').fill(place);
    await page.locator('input[name=wished_from]').fill(tomorrow());
    await page.locator('input[name=head_count]').fill('2');
    await page.locator('input[name=contact_name]').fill('钱阿姨');
    await page.locator('input[name=contact_phone]').fill('13955556666');
    // Without consent the browser itself holds the form back; tick it.
    await page.locator('input[name=consent]').check();
    const done = await submitAndWait(page, page.getByRole('button', { name: '提交申请' }));
    assert.equal(done.status(), 200);
    link = await page.locator('#track-link').getAttribute('href');
    assert.match(link, /^\/needs\/track\/[0-9a-f]{64}$/);
    await fitsThePhone(page, 'the answer');
  });

  await inContext(browser, server, 'needs-community', PHONE, async ({ page }) => {
    await login(page, server.url, 'chunxiao', server.password);
    await page.goto(`${server.url}/needs?status=submitted`);
    await fitsThePhone(page, 'the list');
    // Open the resident's need by its place.
    const rows = page.locator('table.list tbody tr');
    let found = false;
    for (let i = 0; i < await rows.count(); i++) {
      const a = rows.nth(i).locator('a').first();
      await submitAndWait(page, a);
      if ((await page.locator('main').innerText()).includes(place)) { found = true; break; }
      await page.goto(`${server.url}/needs?status=submitted`);
    }
    assert.ok(found, `the need at ${place} is listed`);
    assert.ok((await page.locator('main').innerText()).includes('13955556666'), 'the community sees the phone');
    await submitAndWait(page, page.getByRole('button', { name: '审核发布' }));
    assert.ok((await page.locator('h1').innerText()).includes('待派单'));
  });

  let needUrl;
  await inContext(browser, server, 'needs-street', PHONE, async ({ page }) => {
    await login(page, server.url, 'donghu', server.password);
    await page.goto(`${server.url}/needs?status=published`);
    const rows = page.locator('table.list tbody tr');
    for (let i = 0; i < await rows.count(); i++) {
      await submitAndWait(page, rows.nth(i).locator('a').first());
      if ((await page.locator('main').innerText()).includes(place)) { needUrl = page.url(); break; }
      await page.goto(`${server.url}/needs?status=published`);
    }
    assert.ok(needUrl, 'the street finds the published need');
    const team = page.locator('select[name=team_id]');
    const option = team.locator('option', { hasText: '明湖区税务局' }).first();
    await team.selectOption(await option.getAttribute('value'));
    await submitAndWait(page, page.getByRole('button', { name: '派给该队伍' }));
    assert.ok((await page.locator('h1').innerText()).includes('已派单'));
    await fitsThePhone(page, 'the need');
  });

  await inContext(browser, server, 'needs-team', PHONE, async ({ page }) => {
    await login(page, server.url, 'shuiwu', server.password);
    await page.goto(needUrl);
    await submitAndWait(page, page.getByRole('button', { name: '接单' }));
    assert.match(page.url(), /\/activities\/\d+\/edit$/, 'accepting opens the draft activity');
  });

  await inContext(browser, server, 'needs-public', PHONE, async ({ page }) => {
    await page.goto(`${server.url}/needs/wall`);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(place), 'the wall shows the need');
    assert.ok(!text.includes('13955556666') && !text.includes('钱阿姨'), 'never the contact');
    await fitsThePhone(page, 'the wall');
    await page.goto(`${server.url}${link}`);
    const mine = await page.locator('main').innerText();
    for (const step of ['点单', '审核发布', '派单', '接单']) assert.ok(mine.includes(step), `the link shows ${step}`);
    await fitsThePhone(page, 'the link');
  });
});
