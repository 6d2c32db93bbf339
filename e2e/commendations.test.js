// Commendation (表彰) in the browser: an anonymous visitor on a 375-px phone objects to a name on
// the public notice; the district answers every objection, and once the notice period is over
// finalises the honour roll; an honour certificate prints on A4 with its QR code and is verified
// in a fresh browser context by anyone.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

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

const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };

/** Moves the notice's period into the past (what five working days would do). */
function endThePeriod() {
  const sql = "update commendation_notices set published_on = '2000-01-03', ends_on = '2000-01-07'";
  if (server.databaseUrl) execFileSync('psql', [server.databaseUrl, '-qc', sql]);
  else execFileSync('sqlite3', [path.join(server.dataDir, 'leifeng.db'), sql]);
}

test('an anonymous phone objects; the district answers, finalises, and a fresh browser verifies the honour certificate', async () => {
  let objectedTo;
  await inContext(browser, server, 'object-phone', PHONE, async ({ page }) => {
    const res = await page.goto(`${server.url}/notice`);
    assert.equal(res.status(), 200);
    const rows = await page.locator('table.list tbody tr').count();
    assert.ok(rows >= 1, 'the notice lists the approved names');
    const text = await page.locator('table.list').innerText();
    assert.ok(!/\d{11}/.test(text), 'no phone numbers on the notice');
    const select = page.locator('select[name=nomination_id]');
    objectedTo = (await select.locator('option').first().innerText()).trim();
    await page.locator('input[name=name]').fill('赵六');
    await page.locator('input[name=contact]').fill('13700001111');
    await page.locator('textarea[name=text]').fill('请核实该对象的服务时长。');
    const done = await submitAndWait(page, page.getByRole('button', { name: '提交异议' }));
    assert.equal(done.status(), 200);
    assert.ok((await page.locator('body').innerText()).includes('已收到您的异议'));
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
    }));
    assert.ok(scroll <= client + 1, `the notice is ${scroll}px wide on a ${client}px phone`);
  });

  let number;
  await inContext(browser, server, 'district', {}, async ({ page }) => {
    await login(page, server.url, 'admin', server.password);
    await page.goto(`${server.url}/commendations`);
    const contacts = await page.locator('.contact').allInnerTexts();
    assert.ok(contacts.includes('13700001111'), `the district sees the contact in full: ${contacts}`);
    assert.ok((await page.locator('table.list').last().innerText()).includes(objectedTo.split(' · ')[1]));
    // Answer every open objection, dismissed with a recorded answer.
    while (await page.locator('input[name=answer]').count()) {
      await page.locator('input[name=answer]').first().fill('经核实，事迹属实。');
      await submitAndWait(page, page.getByRole('button', { name: '不予采纳' }).first());
    }
    // The one nomination still under review is rejected with a reason.
    const pending = page.locator('table.list a', { hasText: '' }).filter({ has: page.locator('xpath=..') });
    await page.goto(`${server.url}/commendations`);
    const links = await page.locator('table.list tbody tr').filter({ hasText: '待审核' }).locator('a').all();
    for (const href of await Promise.all(links.map((l) => l.getAttribute('href')))) {
      await page.goto(`${server.url}${href}`);
      await page.locator('input[name=reason]').fill('名额有限，下一年度再推荐。');
      await submitAndWait(page, page.getByRole('button', { name: '不通过' }));
    }
    assert.ok(pending);
    endThePeriod();
    await page.goto(`${server.url}/commendations`);
    const res = await submitAndWait(page, page.getByRole('button', { name: '定稿光荣榜' }));
    assert.equal(res.status(), 200);
    assert.ok((await page.locator('body').innerText()).includes('光荣榜已定稿'));
    // Open a commended nomination and its certificate; print it on A4.
    const commended = page.locator('table.list tbody tr').filter({ hasText: '已表彰' }).locator('a').first();
    await submitAndWait(page, commended);
    const cert = page.locator('a[href^="/honours/certificates/"]');
    number = (await cert.innerText()).trim();
    await submitAndWait(page, cert);
    assert.ok((await page.locator('h1').innerText()).includes('荣誉证书'));
    assert.equal(await page.locator('.qr svg').count(), 1, 'the certificate carries a QR code');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.no-print').isVisible(), false, 'the buttons are not printed');
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 1000, 'the certificate prints');
  });

  await inContext(browser, server, 'verify-fresh', PHONE, async ({ page }) => {
    const res = await page.goto(`${server.url}/verify/${number}`);
    assert.equal(res.status(), 200);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(number) && text.includes('优秀'), text);
    const forged = await page.goto(`${server.url}/verify/${number.slice(0, -1)}X`);
    assert.equal(forged.status(), 404);
    const roll = await page.goto(`${server.url}/honours`);
    assert.equal(roll.status(), 200);
    await submitAndWait(page, page.locator('main a[href^="/honours/2"]').first());
    assert.ok((await page.locator('table.list tbody tr').count()) >= 1, 'the honour roll lists the commended');
  });
});
