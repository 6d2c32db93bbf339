// Inspections (督查) on a 375-px phone: a street inspector records an inspection with a failed
// item and a photo and raises a finding (a refused submit first, which keeps every value); the
// unit answers; the inspector accepts the rectification.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const { launchBrowser, inContext, login, submitAndWait, screenshot } = require('./browser');

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
// The smallest PNG the server's content check accepts as a photo.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
  + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex',
);

function inDays(n) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + n * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

async function fitsThePhone(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375 + 1, `${what} is ${width} px wide`);
}

test('a street inspector records on a phone, the unit rectifies, the inspector accepts', async () => {
  let inspection;
  await inContext(browser, server, 'inspection-street', PHONE, async ({ page, dialogs }) => {
    await login(page, server.url, 'donghu', server.password);
    await page.goto(`${server.url}/inspections/new`);
    await fitsThePhone(page, 'the new inspection form');
    // An activity is picked on the phone too: its teams' recent activities are offered, and
    // the search finds one by its title.
    const activities = page.locator('select[name=target] optgroup[label="活动"] option');
    assert.ok(await activities.count() >= 1, 'activities are offered');
    const title = (await activities.first().innerText()).split(' · ')[1];
    await page.locator('input[type=search][name=activity_q]').fill(title);
    await submitAndWait(page, page.locator('form[role=search] button'));
    const found = await activities.allInnerTexts();
    assert.ok(found.length >= 1 && found.every((t) => t.includes(title)), found.join('; '));
    await fitsThePhone(page, 'the new inspection form with a search');
    const option = page.locator('select[name=target] option', { hasText: '明湖区税务局' }).first();
    await page.locator('select[name=target]').selectOption(await option.getAttribute('value'));
    await page.locator('input[name=inspectors]').fill('李建华，周敏');
    await submitAndWait(page, page.locator('form[action="/inspections"] button[type=submit]'));
    inspection = new URL(page.url()).pathname;
    assert.match(inspection, /^\/inspections\/\d+$/);

    // On site: the first item fails; the second is left unchecked, so the save is refused and
    // comes back with everything typed.
    const record = page.locator('form[action$="/record"]');
    const sets = record.locator('fieldset');
    const n = await sets.count();
    assert.ok(n >= 6, `${n} checklist items`);
    await sets.nth(0).locator('input[value=fail]').check();
    await sets.nth(0).locator('textarea').fill('未见志愿者名册');
    for (let i = 2; i < n; i += 1) await sets.nth(i).locator('input[value=pass]').check();
    await record.locator('textarea[name=summary]').fill('台账基本齐全，名册待补');
    const refused = await submitAndWait(page, record.locator('button[type=submit]'));
    assert.equal(refused.status(), 422);
    assert.equal(await page.locator('textarea[name=summary]').inputValue(), '台账基本齐全，名册待补');
    assert.equal(await sets.nth(0).locator('textarea').inputValue(), '未见志愿者名册');
    assert.ok(await sets.nth(0).locator('input[value=fail]').isChecked());
    assert.ok(await sets.nth(2).locator('input[value=pass]').isChecked());
    await sets.nth(1).locator('input[value=pass]').check();
    await submitAndWait(page, record.locator('button[type=submit]'));
    assert.ok((await page.locator('.flash').innerText()).includes('督查记录已保存'));

    // A photo of the failed item, from the phone's camera.
    const photos = page.locator('form[action$="/files"]').first();
    assert.equal(await photos.locator('input[type=file]').getAttribute('capture'), 'environment');
    await photos.locator('select[name=item_id]').selectOption({ index: 1 });
    await photos.locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await submitAndWait(page, photos.locator('button[type=submit]'));
    assert.equal(await page.locator('fieldset').first().locator('.photos img').count(), 1);

    // A finding about the failed item, to rectify within a week.
    const raise = page.locator('form[action$="/findings"]');
    await raise.locator('select[name=severity]').selectOption('major');
    await raise.locator('textarea[name=description]').fill('志愿者名册未报备');
    await raise.locator('input[name=deadline]').fill(inDays(7));
    await submitAndWait(page, raise.locator('button[type=submit]'));
    assert.ok((await page.locator('#findings').innerText()).includes('志愿者名册未报备'));
    await fitsThePhone(page, 'the inspection page');
    await screenshot(page, 'mobile-inspection-street.png');
    assert.deepEqual(dialogs, []);
  });

  await inContext(browser, server, 'inspection-unit', PHONE, async ({ page }) => {
    await login(page, server.url, 'shuiwu', server.password);
    await page.goto(server.url + inspection);
    const answer = page.locator('form[action$="/answer"]').first();
    await answer.locator('textarea[name=answer]').fill('已补报志愿者名册，附报备回执');
    await submitAndWait(page, answer.locator('button[type=submit]'));
    assert.ok((await page.locator('#findings').innerText()).includes('已反馈'));
    await fitsThePhone(page, "the unit's inspection page");
  });

  await inContext(browser, server, 'inspection-accept', PHONE, async ({ page }) => {
    await login(page, server.url, 'donghu', server.password);
    await page.goto(server.url + inspection);
    await submitAndWait(page, page.locator('form[action$="/review"] button[value=accept]').first());
    assert.ok((await page.locator('#findings').innerText()).includes('已通过'));
    await screenshot(page, 'mobile-inspection-accepted.png');
  });
});
