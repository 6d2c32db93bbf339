// Proving who you are on a 375-px phone, in Chinese: someone signs up with the name and phone of
// a person already on a team's roster; the account is not linked and sees only what was typed
// until the code sent to the phone on record is entered (a wrong code is refused next to the
// field); then the record appears, unchanged.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const { codeSentTo, launchBrowser, newPage, login, submitAndWait, screenshot, serverErrors } = require('./browser');

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
const NAME = '邵文静';
const MOBILE = '13655557777';

async function api(method, path, token, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function fitsPhone(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client + 1, `${what}: scrollWidth ${scroll} > clientWidth ${client}`);
}

test('a sign-up that matches a roster record is linked only with the code sent to the phone on record', async () => {
  // The team keeps 邵文静 on its roster.
  const login_ = await api('POST', '/api/v1/auth/login', null, { username: 'shuiwu', password: server.password });
  assert.equal(login_.status, 200);
  const token = login_.body.token;
  const teams = await api('GET', '/api/v1/teams', token);
  const team = teams.body.items[0].id;
  const added = await api('POST', `/api/v1/teams/${team}/members`, token,
    { name: NAME, phone: MOBILE, residence: '春晓小区 3 幢', consent: 'true' });
  assert.ok(added.status < 300, JSON.stringify(added.body));

  const { context, page, dialogs } = await newPage(browser, PHONE);
  try {
    await page.goto(`${server.url}/join`);
    await page.locator('input[name=username]').fill('wenjing');
    await page.locator('input[name=password]').fill('Serve-People-2026');
    await page.locator('input[name=name]').fill(NAME);
    await page.locator('input[name=phone]').fill(MOBILE);
    await page.locator('input[name=consent]').check();
    await submitAndWait(page, page.locator('main form button[type=submit]'));
    assert.match(page.url(), /\/login\?next=%2Fme%2Flink/);
    assert.match(await page.locator('main').innerText(), /验证码/);

    await page.locator('input[name=username]').fill('wenjing');
    await page.locator('input[name=password]').fill('Serve-People-2026');
    await submitAndWait(page, page.locator('main form button[type=submit]'));
    assert.equal(new URL(page.url()).pathname, '/me/link');
    const main = await page.locator('main').innerText();
    assert.ok(main.includes(NAME) && main.includes(MOBILE), 'shows what was typed');
    assert.ok(!main.includes('春晓小区'), 'and nothing of the record');
    await fitsPhone(page, '/me/link');
    // The record page is not reachable yet.
    await page.goto(`${server.url}/me/record`);
    assert.equal(new URL(page.url()).pathname, '/me/link');

    const code = await codeSentTo(server, MOBILE);
    assert.match(code ?? '', /^\d{6}$/, 'a code was sent to the phone on record');
    await page.locator('input[name=code]').fill(code === '000000' ? '000001' : '000000');
    const res = await submitAndWait(page, page.locator('main form button.primary'));
    assert.equal(res.status(), 422);
    assert.match(await page.locator('#e-code').innerText(), /验证码不正确/);
    assert.equal(await page.locator('input[name=code]').getAttribute('aria-invalid'), 'true');

    await page.locator('input[name=code]').fill(code);
    await submitAndWait(page, page.locator('main form button.primary'));
    assert.equal(new URL(page.url()).pathname, '/me/record');
    const record = await page.locator('main').innerText();
    assert.ok(record.includes(NAME) && record.includes('春晓小区'), 'the record, unchanged');
    await fitsPhone(page, '/me/record');
    assert.deepEqual(dialogs, []);
  } catch (e) {
    const file = await screenshot(page, 'failed-identity.png').catch(() => null);
    e.message += `\n  at ${page.url()}${file ? ` (screenshot: ${file})` : ''}`;
    e.message += `\n  server errors (last 5):\n${serverErrors(server).slice(-5).join('\n') || '    (none)'}`;
    throw e;
  } finally {
    await context.close();
  }
});
