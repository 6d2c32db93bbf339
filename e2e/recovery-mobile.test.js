// A volunteer who forgot the password, on a 375-px phone in Chinese: the login page says how to
// sign in (phone or username) and where to recover a password; a code sent to the phone on record
// sets a new one (a wrong code is refused next to its field, which has the focus); then the phone
// and the new password sign in.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const { codeSentTo, launchBrowser, newPage, submitAndWait, screenshot, serverErrors } = require('./browser');

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
// The demo volunteer 王小明 signs in with this number.
const MOBILE = '13900001234';
const NEW_PASSWORD = 'Phone-Reset-2026';


async function fitsPhone(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client + 1, `${what}: scrollWidth ${scroll} > clientWidth ${client}`);
}

const focused = (page) => page.evaluate(() => document.activeElement?.id ?? '');

test('a forgotten password is replaced with the code sent to the phone, then the phone signs in', async () => {
  const { context, page, dialogs } = await newPage(browser, PHONE);
  try {
    // A wrong password: the error is tied to the field, which has the focus.
    await page.goto(`${server.url}/login`);
    await page.locator('input[name=username]').fill(MOBILE);
    await page.locator('input[name=password]').fill('not-the-password');
    let res = await submitAndWait(page, page.locator('main form button[type=submit]'));
    assert.equal(res.status(), 401);
    assert.equal(await focused(page), 'username');
    const login = page.locator('#username');
    assert.equal(await login.getAttribute('aria-invalid'), 'true');
    assert.match(await login.getAttribute('aria-describedby'), /login-error/);
    assert.match(await page.locator('main').innerText(), /手机号/);
    await fitsPhone(page, '/login');

    await submitAndWait(page, page.getByRole('link', { name: '找回密码' }));
    assert.equal(new URL(page.url()).pathname, '/password/forgot');
    await fitsPhone(page, '/password/forgot');
    await page.locator('input[name=login]').fill('139 0000 1234');
    res = await submitAndWait(page, page.locator('main form button.primary'));
    assert.equal(res.status(), 200);
    assert.match(await page.locator('main [role=status]').innerText(), /验证码已经发出/);
    assert.equal(await focused(page), 'code');
    await fitsPhone(page, '/password/forgot → reset');

    const code = await codeSentTo(server, MOBILE, '重设登录密码');
    assert.match(code ?? '', /^\d{6}$/, 'a code was sent to the phone on record');
    await page.locator('input[name=code]').fill(code === '000000' ? '000001' : '000000');
    await page.locator('input[name=new_password]').fill(NEW_PASSWORD);
    res = await submitAndWait(page, page.locator('main form button.primary'));
    assert.equal(res.status(), 422);
    assert.match(await page.locator('#e-code').innerText(), /验证码不正确/);
    assert.equal(await page.locator('input[name=code]').getAttribute('aria-invalid'), 'true');
    assert.equal(await focused(page), 'code');

    await page.locator('input[name=code]').fill(code);
    await page.locator('input[name=new_password]').fill(NEW_PASSWORD);
    await submitAndWait(page, page.locator('main form button.primary'));
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.match(await page.locator('[role=status]').first().innerText(), /密码已重设/);

    await page.locator('input[name=username]').fill(MOBILE);
    await page.locator('input[name=password]').fill(NEW_PASSWORD);
    await submitAndWait(page, page.locator('main form button[type=submit]'));
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.locator('body').innerText(), /王小明/);
    assert.deepEqual(dialogs, []);
  } catch (e) {
    const file = await screenshot(page, 'failed-recovery.png').catch(() => null);
    e.message += `\n  at ${page.url()}${file ? ` (screenshot: ${file})` : ''}`;
    e.message += `\n  server errors (last 5):\n${serverErrors(server).slice(-5).join('\n') || '    (none)'}`;
    throw e;
  } finally {
    await context.close();
  }
});
