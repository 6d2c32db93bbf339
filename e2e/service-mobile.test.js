// The service flow on a 375-px phone, in Chinese: a volunteer joins a full activity's waiting
// list, scans the poster of the activity under way to sign in and out (a second scan changes
// nothing), the team leader records and confirms the hours of an activity that has ended, and the
// volunteer issues a service certificate that anyone can verify (and a forged number cannot).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const {
  launchBrowser, newPage, login, submitAndWait, screenshot, serverErrors,
} = require('./browser');

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
const VOLUNTEER = '王小明';
const UNDER_WAY = '社区图书角整理';
const FULL = '重阳敬老院慰问';
const RECORDED = '春晓社区楼道清理（补录）';
const TAX_TEAM = '明湖区税务局学雷锋志愿服务队';

/** The page is no wider than the phone: nothing makes it scroll sideways. */
async function fitsPhone(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client + 1, `${what}: scrollWidth ${scroll} > clientWidth ${client}, wider than the phone`);
}

/** `ms` as China time, the way a datetime-local field takes it: `YYYY-MM-DDTHH:MM`. */
function chinaLocal(ms) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);
}

/** The flash message shown after a redirect. */
async function flash(page) {
  const f = page.locator('.flash, [role=status]').first();
  return (await f.count()) ? (await f.innerText()).trim() : '';
}

/** Opens the activity `title` from the activity list; resolves to its path. */
async function openActivity(page, title) {
  const res = await page.goto(`${server.url}/activities?q=${encodeURIComponent(title)}&when=all`);
  assert.equal(res.status(), 200, '/activities');
  const link = page.locator('table.list').getByRole('link', { name: title, exact: true });
  assert.equal(await link.count(), 1, `${title} is listed once on /activities`);
  await submitAndWait(page, link);
  const path = new URL(page.url()).pathname;
  assert.match(path, /^\/activities\/\d+$/);
  assert.match(await page.locator('h1').first().innerText(), new RegExp(`^${title}`));
  return path;
}

/** One person's row (card on the phone) of the leader's attendance list. */
function personRow(page, name) {
  return page.locator('#attendance table.list tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
}

/**
 * Runs `fn` with phones named `who`, each in its own context (own cookies: the volunteer's, the
 * leader's, and a visitor who never signs in). When it fails, every screen is kept in
 * test-results/ and the server's recent errors are added.
 */
async function withPhones(who, fn) {
  const phones = {};
  try {
    for (const name of who) phones[name] = await newPage(browser, PHONE);
    await fn(Object.fromEntries(Object.entries(phones).map(([name, p]) => [name, p.page])));
    for (const [name, p] of Object.entries(phones)) assert.deepEqual(p.dialogs, [], `${name}: dialogs`);
  } catch (e) {
    for (const [name, p] of Object.entries(phones)) {
      const file = await screenshot(p.page, `failed-service-${name}.png`).catch(() => null);
      e.message += `\n  ${name}: ${p.page.url()}${file ? ` (screenshot: ${file})` : ''}`;
    }
    e.message += `\n  server errors (last 5):\n${serverErrors(server).slice(-5).join('\n') || '    (none)'}`;
    throw e;
  } finally {
    for (const p of Object.values(phones)) await p.context.close();
  }
}

test('a volunteer signs up, scans in and out, and gets a verifiable certificate, on a phone', async () => {
  await withPhones(['volunteer', 'leader', 'visitor'], async ({ volunteer: vol, leader: lead, visitor }) => {
    // ---- the volunteer joins the waiting list of a full activity
    await login(vol, server.url, 'volunteer', server.password);
    assert.equal(new URL(vol.url()).pathname, '/', 'the volunteer signs in');
    const list = await vol.goto(`${server.url}/activities`);
    assert.equal(list.status(), 200);
    await fitsPhone(vol, '/activities');
    for (const title of [UNDER_WAY, '周末文明交通劝导', FULL]) {
      assert.equal(await vol.locator('table.list').getByRole('link', { name: title, exact: true }).count(), 1,
        `${title} is on the volunteer's activity list`);
    }
    const underWayRow = vol.locator('table.list tbody tr')
      .filter({ has: vol.getByRole('link', { name: UNDER_WAY, exact: true }) });
    assert.match(await underWayRow.innerText(), /已报名/, `the volunteer is signed up for ${UNDER_WAY}`);
    await submitAndWait(vol, vol.locator('table.list').getByRole('link', { name: FULL, exact: true }));
    const fullPath = new URL(vol.url()).pathname;
    assert.match(fullPath, /^\/activities\/\d+$/);
    const join = vol.locator('#signup form button');
    assert.equal((await join.innerText()).trim(), '加入候补', 'a full activity offers the waiting list');
    await fitsPhone(vol, `${FULL} ${fullPath}`);
    await submitAndWait(vol, join);
    assert.equal(new URL(vol.url()).pathname, fullPath);
    assert.match(await flash(vol), /名额已满.*候补/, 'the flash says the activity is full');
    assert.equal((await vol.locator('#signup .status').innerText()).trim(), '候补中');
    await fitsPhone(vol, `${FULL} on the waiting list`);
    await screenshot(vol, 'service-phone-waiting.png');

    // ---- the leader shows the poster of the activity under way; the volunteer scans it
    await login(lead, server.url, 'shuiwu', server.password);
    assert.equal(new URL(lead.url()).pathname, '/', 'the leader signs in');
    const underWay = await openActivity(lead, UNDER_WAY);
    await fitsPhone(lead, `${UNDER_WAY} (leader)`);
    await submitAndWait(lead, lead.locator('main .actions').getByRole('link', { name: '签到海报' }));
    assert.equal(new URL(lead.url()).pathname, `${underWay}/poster`);
    assert.equal(await lead.locator('.qr svg').count(), 1, 'the poster has a QR code');
    const scanUrl = (await lead.locator('.poster-url').innerText()).trim();
    const id = underWay.split('/').pop();
    assert.match(scanUrl, new RegExp(`^http://[^/]+/s/${id}\\?c=[\\w-]+$`), 'the QR link');
    await screenshot(lead, 'service-phone-poster.png');

    const signIn = vol.getByRole('button', { name: '签到', exact: true });
    const signOut = vol.getByRole('button', { name: '签退', exact: true });
    const scan = await vol.goto(scanUrl);
    assert.equal(scan.status(), 200, scanUrl);
    assert.equal(await vol.locator('main .error[role=alert]').count(), 0, 'the scan page shows no problem');
    assert.match(await vol.locator('h1').innerText(), new RegExp(UNDER_WAY));
    await fitsPhone(vol, 'the scan page');
    await submitAndWait(vol, signIn);
    assert.equal(new URL(vol.url()).pathname, `/s/${id}`);
    assert.match(await vol.locator('.scan-state').innerText(), /已签到/);
    assert.match(await flash(vol), /签到成功/);
    assert.equal(await signIn.count(), 0, 'signed in: no second sign-in button');
    await fitsPhone(vol, 'the scan page, signed in');
    // Reloaded, the page still knows: sign-out is offered, sign-in is not.
    await vol.reload();
    assert.match(await vol.locator('.scan-state').innerText(), /已签到/);
    assert.equal(await signIn.count(), 0, 'reloaded: no sign-in button');
    assert.equal(await signOut.count(), 1, 'reloaded: the sign-out button');
    await submitAndWait(vol, signOut);
    assert.equal(new URL(vol.url()).pathname, `/s/${id}`);
    // 签退成功, or signed out without hours when the stay was below the minimum share (the test's is seconds).
    assert.match(await flash(vol), /签退成功|已签退/);
    const state = (await vol.locator('.scan-state').innerText()).trim();
    assert.match(state, /已签到/);
    assert.match(state, /已签退/);
    // Signed out at once: below the minimum share of the activity, so no hours.
    assert.match(state, /计 0(\.0+)? 小时/);
    await fitsPhone(vol, 'the scan page, signed out');
    await screenshot(vol, 'service-phone-scan.png');
    // Scanning the poster again does nothing: same times, and neither button comes back.
    await vol.goto(scanUrl);
    assert.equal((await vol.locator('.scan-state').innerText()).trim(), state, 'scanned again: nothing changed');
    assert.equal(await signIn.count(), 0, 'scanned again: no sign-in button');
    assert.equal(await signOut.count(), 0, 'scanned again: no sign-out button');

    // ---- the leader records an activity that has ended and confirms its hours
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const starts = chinaLocal(now - 4 * 3600_000);
    const ends = chinaLocal(now - 3600_000);
    const form = await lead.goto(`${server.url}/activities/new`);
    assert.equal(form.status(), 200, '/activities/new');
    await fitsPhone(lead, '/activities/new');
    // The unit's only team is preselected. (On a database shared with roster.test.js, the unit
    // has registered a second team by now: then the demo team is chosen by hand.)
    const team = lead.locator('select[name=team_id]');
    const teams = await team.locator('option').evaluateAll((os) => os.filter((o) => o.value).map((o) => o.textContent));
    if (teams.length === 1) {
      assert.notEqual(await team.inputValue(), '', 'the only team is preselected');
    } else {
      await team.selectOption({ label: teams.find((t) => t.startsWith(`${TAX_TEAM}（`)) });
    }
    assert.match(await team.locator('option:checked').innerText(), new RegExp(`^${TAX_TEAM}（`));
    await lead.locator('input[name=title]').fill(RECORDED);
    await lead.locator('select[name=category]').selectOption('public_affairs');
    await lead.locator('select[name=dimension]').selectOption('environment');
    await lead.locator('select[name=form]').selectOption('scattered');
    await lead.locator('input[name=address]').fill('春晓社区 3 幢');
    await lead.locator('input[name=starts_at]').fill(starts);
    await lead.locator('input[name=ends_at]').fill(ends);
    await lead.locator('input[name=capacity]').fill('10');
    const saved = await submitAndWait(lead, lead.locator('main form[action="/activities"] button[type=submit]'));
    assert.equal(saved.status(), 200, 'the new activity is saved');
    const recorded = new URL(lead.url()).pathname;
    assert.match(recorded, /^\/activities\/\d+$/, 'lands on the new activity');
    assert.match(await lead.locator('h1').innerText(), /草稿/);
    await submitAndWait(lead, lead.locator('main .actions').getByRole('button', { name: '发布', exact: true }));
    assert.equal(new URL(lead.url()).pathname, recorded);
    assert.equal(await lead.locator('main .error[role=alert]').count(), 0, 'a past activity may be published');
    assert.match(await lead.locator('h1').innerText(), /待确认/, 'published after its end: its hours wait');

    const add = lead.getByLabel('队长添加人员');
    const option = await add.locator('option').evaluateAll(
      (os, name) => os.find((o) => o.textContent.trim().startsWith(`${name} `))?.value, VOLUNTEER);
    assert.ok(option, `${VOLUNTEER} is offered to add`);
    await add.selectOption(option);
    await submitAndWait(lead, lead.locator('#attendance').getByRole('button', { name: '添加', exact: true }));
    assert.equal(new URL(lead.url()).pathname, recorded);
    assert.equal(await personRow(lead, VOLUNTEER).count(), 1, `${VOLUNTEER} is on the list`);

    const at = lead.locator('#attendance input[name=at]');
    await lead.getByRole('checkbox', { name: VOLUNTEER }).check();
    await at.fill(starts);
    await submitAndWait(lead, lead.getByRole('button', { name: '所选人员签到' }));
    assert.equal(await lead.locator('main .error[role=alert]').count(), 0, 'bulk sign-in');
    await lead.getByRole('checkbox', { name: VOLUNTEER }).check();
    await at.fill(ends);
    await submitAndWait(lead, lead.getByRole('button', { name: '所选人员签退' }));
    assert.equal(await lead.locator('main .error[role=alert]').count(), 0, 'bulk sign-out');
    const times = await personRow(lead, VOLUNTEER).innerText();
    assert.ok(times.includes(starts.replace('T', ' ')), `signed in at ${starts}: ${times}`);
    assert.ok(times.includes(ends.replace('T', ' ')), `signed out at ${ends}: ${times}`);
    await fitsPhone(lead, `${RECORDED} (leader)`);

    await submitAndWait(lead, lead.getByRole('button', { name: '确认工时' }));
    assert.equal(new URL(lead.url()).pathname, recorded);
    assert.match(await flash(lead), /工时已确认/);
    const hours = (await personRow(lead, VOLUNTEER).locator('td[data-label^="工时"]').innerText()).trim();
    assert.match(hours, /^3(\.0+)? ✓/, `${VOLUNTEER}'s confirmed hours`);
    assert.match(await lead.locator('#attendance h2').innerText(), /shuiwu 于 .* 确认/, 'who confirmed, and when');
    assert.equal(await lead.getByRole('button', { name: '确认工时' }).count(), 0, 'confirmed once');
    await fitsPhone(lead, `${RECORDED} (completed, leader)`);
    await screenshot(lead, 'service-phone-hours.png');

    // ---- the volunteer sees the hours and issues a certificate
    const service = await vol.goto(`${server.url}/me/service`);
    assert.equal(service.status(), 200, '/me/service');
    await fitsPhone(vol, '/me/service');
    const line = vol.locator('table.list tbody tr').filter({ has: vol.getByRole('link', { name: RECORDED, exact: true }) });
    assert.equal(await line.count(), 1, `${RECORDED} is on the service record`);
    assert.match((await line.locator('td[data-label^="工时"]').innerText()).trim(), /^3(\.0+)?$/);
    await screenshot(vol, 'service-phone-record.png');
    await submitAndWait(vol, vol.getByRole('button', { name: '出具证明' }));
    const certPath = new URL(vol.url()).pathname;
    assert.match(certPath, /^\/certificates\/LFC\w+$/, 'lands on the certificate');
    const number = certPath.split('/').pop();
    assert.match(await vol.locator('.cert-no').innerText(), new RegExp(number));
    assert.match(await vol.locator('.cert-text').first().innerText(), new RegExp(VOLUNTEER));
    const verifyUrl = (await vol.locator('.cert-url').innerText()).trim();
    assert.ok(verifyUrl.startsWith(`${server.url}/verify/${number}?`), `the verify link: ${verifyUrl}`);
    await screenshot(vol, 'service-phone-certificate.png');

    // ---- anyone verifies it without signing in; a changed number is not valid
    const valid = await visitor.goto(verifyUrl);
    assert.equal(valid.status(), 200, verifyUrl);
    assert.equal(new URL(visitor.url()).pathname, `/verify/${number}`, 'no sign-in needed');
    const says = await visitor.locator('main').innerText();
    assert.match(says, /证明有效/);
    assert.match(says, /王\*明/, 'the name, masked');
    assert.ok(!says.includes(VOLUNTEER), 'the full name is not shown');
    assert.ok(says.includes(number), 'the number');
    await fitsPhone(visitor, 'the verify page');
    await screenshot(visitor, 'service-phone-verify.png');

    // One character of the number changed (to another letter or digit, whatever its case).
    const last = number.at(-1).toUpperCase();
    const forged = number.slice(0, -1) + (last === '7' ? '8' : '7');
    const invalid = await visitor.goto(verifyUrl.replace(`/verify/${number}`, `/verify/${forged}`));
    assert.equal(invalid.status(), 404, 'a forged number');
    const refused = await visitor.locator('main').innerText();
    assert.match(refused, /证明无效/);
    assert.ok(!refused.includes('证明有效') && !/王\*明/.test(refused), 'nothing of the real certificate');
  });
});

// Once an activity is completed, its leader's page gets the summary card with a photo upload
// field, which must shrink to the phone like the rest.
test('a completed activity\'s page fits the phone for its leader', async () => {
  const p = await newPage(browser, PHONE);
  try {
    await login(p.page, server.url, 'shuiwu', server.password);
    // A finished activity of the tax bureau's own team (mine) from the demo's service year.
    const res = await p.page.goto(`${server.url}/activities?when=past&mine=true&q=${encodeURIComponent('环境整治·清洁家园')}`);
    assert.equal(res.status(), 200);
    await submitAndWait(p.page, p.page.locator('table.list').getByRole('link', { name: '环境整治·清洁家园', exact: true }).first());
    assert.match(await p.page.locator('h1').innerText(), /已完成/);
    assert.equal(await p.page.locator('input[type=file]').count(), 1, 'the leader may add photos');
    await fitsPhone(p.page, 'a completed activity (leader)');
  } finally {
    await p.context.close();
  }
});
