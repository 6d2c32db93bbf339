// The whole year-end (issue 11) in one walk, as a district office does it in the browser: a street
// inspector on a 390-px phone inspects a unit (checklist, a failed item with a photo, a finding
// with a deadline); the unit answers with evidence; the inspector accepts; the district reads the
// live ranking and drills into the unit's score; the unit fills in the 推荐表 downloaded from the
// site and uploads it (one row refused first, then fixed); the district approves and publishes the
// notice; an anonymous phone objects through the public form; the district answers, and once the
// period is over finalises; the honour certificate prints and is verified in a fresh browser.
//
// The demo's current year already has its notice published (its nominations are closed), so the
// walk starts where a district office starts a new year: it opens the next campaign year.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const ExcelJS = require('exceljs');

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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
// The smallest PNG the server's content check accepts as a photo.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000'
  + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex',
);
const UNIT = '明湖区税务局';

function inDays(n) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 + n * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

async function fitsThePhone(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390 + 1, `${what} is ${width} px wide`);
}

/**
 * Moves the notice's period into the past: five working days cannot pass in a test, and the
 * product (rightly) has no way to end a notice early. Only the dates change, in the database.
 */
function endThePeriod() {
  const sql = "update commendation_notices set published_on = '2000-01-03', ends_on = '2000-01-07' "
    + 'where finalised_at is null';
  if (server.databaseUrl) execFileSync('psql', [server.databaseUrl, '-qc', sql]);
  else execFileSync('sqlite3', [path.join(server.dataDir, 'leifeng.db'), sql]);
}

/** The 推荐表 as downloaded from the import page, with one nomination row filled in. */
async function filledForm(template, category, nominee, deed) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(template);
  const sheet = book.worksheets[0];
  let header;
  sheet.eachRow((row, n) => {
    if (!header && row.values.includes('表彰类别')) header = n;
  });
  assert.ok(header, 'the template has a header row');
  const cols = {};
  sheet.getRow(header).eachCell((cell, c) => { cols[String(cell.value).trim()] = c; });
  const row = sheet.getRow(header + 1);
  row.getCell(cols['序号']).value = 1;
  row.getCell(cols['表彰类别']).value = category;
  row.getCell(cols['推荐对象']).value = nominee;
  row.getCell(cols['主要事迹']).value = deed;
  row.commit();
  return Buffer.from(await book.xlsx.writeBuffer());
}

test('a whole year-end: inspect, rectify, score, nominate, notice, object, finalise, verify', async () => {
  // The district opens the new campaign year and lets units with no hours yet be nominated
  // as 优秀组织单位 (the year has just begun).
  await inContext(browser, server, 'yearend-open', {}, async ({ page }) => {
    await login(page, server.url, 'admin', server.password);
    await page.goto(`${server.url}/campaign/new`);
    await submitAndWait(page, page.locator('main form button[type=submit]'));
    assert.match(page.url(), /\/board/);
    await page.goto(`${server.url}/commendations`);
    // The demo's year is still being commended (its notice runs): the new year's page points to it.
    const unfinished = page.locator('a[href^="/commendations?campaign_id="]').filter({ hasText: '前往' });
    assert.equal(await unfinished.count(), 1);
    const row = page.locator('table.list tbody tr').filter({ hasText: '优秀组织单位' });
    await row.locator('input[name=min_hours]').fill('0');
    await submitAndWait(page, row.locator('button'));
    assert.equal(await page.locator('table.list tbody tr').filter({ hasText: '优秀组织单位' })
      .locator('input[name=min_hours]').inputValue(), '0');
  });

  // 1. The street inspector on the phone: checklist, a failed item with a photo, a finding.
  let inspection;
  await inContext(browser, server, 'yearend-inspect', PHONE, async ({ page, dialogs }) => {
    await login(page, server.url, 'donghu', server.password);
    await page.goto(`${server.url}/inspections/new`);
    await fitsThePhone(page, 'the new inspection form');
    const option = page.locator('select[name=target] option', { hasText: UNIT }).first();
    await page.locator('select[name=target]').selectOption(await option.getAttribute('value'));
    await page.locator('input[name=inspectors]').fill('李建华，周敏');
    await submitAndWait(page, page.locator('form[action="/inspections"] button[type=submit]'));
    inspection = new URL(page.url()).pathname;
    assert.match(inspection, /^\/inspections\/\d+$/);

    const record = page.locator('form[action$="/record"]');
    const sets = record.locator('fieldset');
    const n = await sets.count();
    assert.ok(n >= 6, `${n} checklist items`);
    await sets.nth(0).locator('input[value=fail]').check();
    await sets.nth(0).locator('textarea').fill('未见志愿者名册');
    for (let i = 1; i < n; i += 1) await sets.nth(i).locator('input[value=pass]').check();
    await record.locator('textarea[name=summary]').fill('台账基本齐全，名册待补');
    await submitAndWait(page, record.locator('button[type=submit]'));
    assert.ok((await page.locator('.flash').innerText()).includes('督查记录已保存'));

    const photos = page.locator('form[action$="/files"]').first();
    await photos.locator('select[name=item_id]').selectOption({ index: 1 });
    await photos.locator('input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    await submitAndWait(page, photos.locator('button[type=submit]'));
    assert.equal(await page.locator('fieldset').first().locator('.photos img').count(), 1);

    const raise = page.locator('form[action$="/findings"]');
    await raise.locator('select[name=severity]').selectOption('major');
    await raise.locator('textarea[name=description]').fill('志愿者名册未报备');
    await raise.locator('input[name=deadline]').fill(inDays(7));
    await submitAndWait(page, raise.locator('button[type=submit]'));
    assert.ok((await page.locator('#findings').innerText()).includes('志愿者名册未报备'));
    await fitsThePhone(page, 'the inspection page');
    assert.deepEqual(dialogs, []);
  });

  // 2. The unit answers with evidence.
  await inContext(browser, server, 'yearend-answer', PHONE, async ({ page }) => {
    await login(page, server.url, 'shuiwu', server.password);
    await page.goto(server.url + inspection);
    const evidence = page.locator('form[action$="/files"]:has(input[name=finding_id])').first();
    await evidence.locator('input[type=file]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    await submitAndWait(page, evidence.locator('button[type=submit]'));
    const answer = page.locator('form[action$="/answer"]').first();
    await answer.locator('textarea[name=answer]').fill('已补报志愿者名册，附报备回执');
    await submitAndWait(page, answer.locator('button[type=submit]'));
    assert.ok((await page.locator('#findings').innerText()).includes('已反馈'));
    await fitsThePhone(page, "the unit's inspection page");
  });

  // 3. The inspector accepts the rectification.
  await inContext(browser, server, 'yearend-accept', PHONE, async ({ page }) => {
    await login(page, server.url, 'donghu', server.password);
    await page.goto(server.url + inspection);
    await submitAndWait(page, page.locator('form[action$="/review"] button[value=accept]').first());
    assert.ok((await page.locator('#findings').innerText()).includes('已通过'));
  });

  // 4. The district reads the live ranking and drills into the unit's score.
  await inContext(browser, server, 'yearend-score', {}, async ({ page }) => {
    await login(page, server.url, 'admin', server.password);
    await page.goto(`${server.url}/assessment?kind=unit&fresh=true`);
    assert.match(await page.locator('#assessment-state').innerText(), /计算于/);
    const row = page.locator('#ranking tbody tr').filter({ hasText: UNIT }).first();
    await submitAndWait(page, row.locator('a').first());
    assert.match(page.url(), /\/assessment\/unit\/\d+/);
    assert.match(await page.locator('#assessment-total').innerText(), /得分/);
    assert.ok(await page.locator('#lines tbody tr').count() >= 11, 'every indicator explained');
    const findings = await page.locator('main').innerText();
    assert.ok(findings.includes('共 1 个问题') && findings.includes('1 个按期整改'), findings);
  });

  // 5. The unit fills in the 推荐表 it downloaded and uploads it: one row error, then fixed.
  await inContext(browser, server, 'yearend-nominate', {}, async ({ page }) => {
    await login(page, server.url, 'shuiwu', server.password);
    await page.goto(`${server.url}/commendations/import`);
    const href = await page.locator('main a[href$="template.xlsx"]').getAttribute('href');
    const res = await page.request.get(server.url + href);
    assert.equal(res.status(), 200);
    const template = await res.body();
    const deed = '建立健全志愿服务工作机制，结对帮扶成效明显，整改及时到位。';
    const upload = async (category) => {
      const file = await filledForm(template, category, UNIT, deed);
      await page.locator('input[type=file]').setInputFiles({
        name: '推荐表.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: file,
      });
      return submitAndWait(page, page.locator('button[name=dry_run][value=false]'));
    };
    await upload('优秀单位');
    const errors = page.locator('table.list tbody tr');
    assert.equal(await errors.count(), 1, 'one row error');
    const err = await errors.first().innerText();
    assert.ok(err.includes('表彰类别') && err.includes('优秀单位'), err);
    await upload('优秀组织单位');
    assert.equal(await page.locator('table.list tbody tr').count(), 0);
    assert.ok((await page.locator('[role=status]').innerText()).length > 0);
    await page.goto(`${server.url}/commendations`);
    assert.ok((await page.locator('table.list').nth(1).innerText()).includes(UNIT));
  });

  // 6. The district approves and publishes the notice.
  await inContext(browser, server, 'yearend-approve', {}, async ({ page }) => {
    await login(page, server.url, 'admin', server.password);
    await page.goto(`${server.url}/commendations`);
    const nomination = page.locator('table.list tbody tr').filter({ hasText: '待审核' }).locator('a').first();
    await submitAndWait(page, nomination);
    await submitAndWait(page, page.getByRole('button', { name: '通过' }).first());
    await page.goto(`${server.url}/commendations`);
    assert.ok((await page.locator('table.list tbody tr').filter({ hasText: UNIT }).innerText()).includes('已通过'));
    await submitAndWait(page, page.locator('form[action^="/commendations/notice"] button'));
    assert.ok((await page.locator('body').innerText()).includes('名单已公示'));
  });

  // 7. An anonymous phone objects through the public form.
  await inContext(browser, server, 'yearend-object', PHONE, async ({ page }) => {
    const res = await page.goto(`${server.url}/notice`);
    assert.equal(res.status(), 200);
    assert.ok((await page.locator('table.list').innerText()).includes(UNIT));
    const option = page.locator('select[name=nomination_id] option', { hasText: UNIT }).first();
    await page.locator('select[name=nomination_id]').selectOption(await option.getAttribute('value'));
    await page.locator('input[name=name]').fill('赵六');
    await page.locator('input[name=contact]').fill('13700001111');
    await page.locator('textarea[name=text]').fill('请核实该单位的整改情况。');
    const done = await submitAndWait(page, page.getByRole('button', { name: '提交异议' }));
    assert.equal(done.status(), 200);
    assert.ok((await page.locator('body').innerText()).includes('已收到您的异议'));
    await fitsThePhone(page, 'the public notice');
  });

  // 8. The district answers; the period ends; the district finalises and prints the certificate.
  let number;
  await inContext(browser, server, 'yearend-finalise', {}, async ({ page }) => {
    await login(page, server.url, 'admin', server.password);
    await page.goto(`${server.url}/commendations`);
    assert.ok((await page.locator('.contact').allInnerTexts()).includes('13700001111'));
    const answers = await page.locator('input[name=answer]').count();
    assert.equal(answers, 1, 'one objection to answer');
    await page.locator('input[name=answer]').fill('经核实，整改已通过验收，事迹属实。');
    await submitAndWait(page, page.getByRole('button', { name: '不予采纳' }));
    assert.equal(await page.locator('input[name=answer]').count(), 0);
    // Before the period is over the district cannot finalise.
    const early = await submitAndWait(page, page.getByRole('button', { name: '定稿光荣榜' }));
    assert.notEqual(early.status(), 200);
    endThePeriod();
    await page.goto(`${server.url}/commendations`);
    const res = await submitAndWait(page, page.getByRole('button', { name: '定稿光荣榜' }));
    assert.equal(res.status(), 200);
    assert.ok((await page.locator('body').innerText()).includes('光荣榜已定稿'));
    const commended = page.locator('table.list tbody tr').filter({ hasText: UNIT }).locator('a').first();
    await submitAndWait(page, commended);
    const cert = page.locator('a[href^="/honours/certificates/"]');
    number = (await cert.innerText()).trim();
    await submitAndWait(page, cert);
    assert.ok((await page.locator('h1').innerText()).includes('荣誉证书'));
    assert.ok((await page.locator('main').innerText()).includes(UNIT));
    assert.equal(await page.locator('.qr svg').count(), 1, 'the certificate carries a QR code');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 1000, 'the certificate prints');
    await screenshot(page, 'yearend-certificate.png');
  });

  // 9. Anyone verifies the certificate in a fresh browser.
  await inContext(browser, server, 'yearend-verify', PHONE, async ({ page }) => {
    const res = await page.goto(`${server.url}/verify/${number}`);
    assert.equal(res.status(), 200);
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(number) && text.includes(UNIT) && text.includes('优秀组织单位'), text);
    await fitsThePhone(page, 'the verify page');
  });
});
