// Each demo role signs in through the real login page and sees its own part of the district,
// and nothing of the others'; the login page itself (wrong password, language switch).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const {
  launchBrowser, inContext, login, submitAndWait, menuLinks, column, screenshot,
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

const DEMO_STREETS = ['东湖街道', '西岭街道', '南山街道', '北塘街道'];
const FORBIDDEN = '您没有权限进行此操作';

/** Signs in as `user` and checks that it landed on the home page. */
async function signIn(page, user) {
  const res = await login(page, server.url, user, server.password);
  assert.equal(new URL(page.url()).pathname, '/', `${user} should land on the home page`);
  assert.equal(res.status(), 200, `home page of ${user}`);
}

/** Opens `path` and checks that it answers 200 without an error page. */
async function open(page, path) {
  const res = await page.goto(server.url + path);
  assert.equal(res.status(), 200, `${path} should open`);
  assert.equal(await page.locator('.error[role=alert]').count(), 0, `${path} shows an error`);
  return res;
}

/** Opens `path` and checks that it answers with the 403 page. */
async function refused(page, path) {
  const res = await page.goto(server.url + path);
  assert.equal(res.status(), 403, `${path} should be refused`);
  assert.match(await page.locator('h1').innerText(), /^403/, `${path}: heading of the 403 page`);
  assert.match(await page.locator('main').innerText(), new RegExp(FORBIDDEN));
}

async function heading(page) {
  return (await page.locator('h1').first().innerText()).trim();
}

test('district admin sees communities of all four streets and the audit log', async () => {
  await inContext(browser, server, 'district-admin', {}, async ({ page, dialogs }) => {
    await signIn(page, 'admin');
    assert.deepEqual(await menuLinks(page), ['/', '/activities', '/calendar', '/needs', '/teams', '/traffic',
      '/checkins', '/dispatches', '/inspections', '/board', '/compliance', '/assessment', '/stats',
      '/stats/monthly', '/commendations', '/streets', '/communities', '/units', '/pairings', '/users', '/audit', '/service-rules']);

    await open(page, '/communities');
    assert.match(await heading(page), /^社区 \((\d+)\)$/);
    const streets = new Set(await column(page, '街道'));
    for (const s of DEMO_STREETS) assert.ok(streets.has(s), `${s} is missing from ${[...streets]}`);
    const names = await column(page, '名称');
    for (const c of ['春晓社区', '枫林社区', '南苑社区', '北辰社区']) {
      assert.ok(names.includes(c), `${c} should be listed`);
    }
    await screenshot(page, 'desktop-admin-communities.png');

    await open(page, '/streets');
    const allStreets = await column(page, '名称');
    for (const s of DEMO_STREETS) assert.ok(allStreets.includes(s), `${s} should be listed`);

    await open(page, '/audit');
    assert.match(await heading(page), /^操作日志 \(\d+\)$/);
    assert.ok(await page.locator('table.audit tbody tr').count() > 0, 'the audit log has entries');
    await screenshot(page, 'desktop-admin-audit.png');
    assert.deepEqual(dialogs, []);
  });
});

test('street admin sees only its own street', async () => {
  await inContext(browser, server, 'street-admin', {}, async ({ page }) => {
    await signIn(page, 'donghu');
    assert.deepEqual(await menuLinks(page), ['/', '/activities', '/calendar', '/needs', '/teams', '/checkins',
      '/dispatches', '/inspections', '/board', '/compliance', '/assessment', '/stats', '/stats/monthly',
      '/commendations',
      '/streets', '/communities', '/units', '/pairings', '/users']);

    await open(page, '/communities');
    assert.equal(await heading(page), '社区 (5)');
    const names = await column(page, '名称');
    assert.ok(names.includes('春晓社区'), '春晓社区 should be listed');
    assert.ok(!names.includes('枫林社区'), '枫林社区 is in another street');
    assert.equal(await page.getByText('枫林社区').count(), 0);
    assert.deepEqual(new Set(await column(page, '街道')), new Set(['东湖街道']));

    await open(page, '/streets');
    assert.deepEqual(await column(page, '名称'), ['东湖街道']);

    await refused(page, '/audit');
    await refused(page, '/streets/new');
  });
});

test('community admin sees only its own community and may not create', async () => {
  await inContext(browser, server, 'community-admin', {}, async ({ page }) => {
    await signIn(page, 'chunxiao');
    const menu = await menuLinks(page);
    assert.ok(!menu.includes('/audit') && !menu.includes('/users'), `menu: ${menu}`);
    assert.ok(!menu.includes('/stats/monthly'), `a community has no monthly form: ${menu}`);

    await open(page, '/communities');
    assert.equal(await heading(page), '社区 (1)');
    assert.deepEqual(await column(page, '名称'), ['春晓社区']);
    assert.equal(await page.locator('a[href="/communities/new"]').count(), 0, 'no "new" button');

    for (const path of ['/streets/new', '/communities/new', '/units/new', '/pairings/new', '/users/new', '/audit']) {
      await refused(page, path);
    }
  });
});

test('unit admin sees only its unit and the communities paired with it', async () => {
  await inContext(browser, server, 'unit-admin', {}, async ({ page }) => {
    await signIn(page, 'shuiwu');
    const menu = await menuLinks(page);
    assert.ok(!menu.includes('/streets'), `menu: ${menu}`);
    assert.ok(menu.includes('/stats/monthly'), `a unit reports its month: ${menu}`);

    await open(page, '/units');
    assert.equal(await heading(page), '文明单位 (1)');
    assert.deepEqual(await column(page, '名称'), ['明湖区税务局']);

    // The demo pairs the tax bureau with 春晓社区 (东湖街道) and 岭南社区 (西岭街道).
    await open(page, '/communities');
    assert.deepEqual((await column(page, '名称')).sort(), ['岭南社区', '春晓社区'].sort());
    assert.equal(await page.getByText('枫林社区').count(), 0);

    await refused(page, '/streets');
    await refused(page, '/units/new');
  });
});

test('traffic police read all 30 units but not the pairings', async () => {
  await inContext(browser, server, 'police', {}, async ({ page }) => {
    await signIn(page, 'jiaojing');
    assert.deepEqual(await menuLinks(page),
      ['/', '/activities', '/calendar', '/traffic', '/streets', '/communities', '/units']);

    await open(page, '/units');
    assert.match(await heading(page), /\(30\)$/);
    assert.equal(await page.locator('a[href="/units/new"]').count(), 0, 'no "new" button');

    await refused(page, '/pairings');
    await refused(page, '/audit');
    await refused(page, '/users');
  });
});

test('volunteer has the home page, activities and their own records, and can sign out', async () => {
  await inContext(browser, server, 'volunteer', {}, async ({ page, context }) => {
    await signIn(page, 'volunteer');
    assert.deepEqual(await menuLinks(page), ['/', '/activities', '/calendar', '/me/service', '/me/record']);

    await refused(page, '/units');
    await refused(page, '/communities');

    await page.goto(server.url + '/');
    await submitAndWait(page, page.locator('header form[action="/logout"] button'));
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.ok(!(await context.cookies()).some((c) => c.name === 'lf_session' && c.value));
    // Signed out, a page sends the visitor back to the login page.
    await page.goto(server.url + '/units');
    assert.equal(new URL(page.url()).pathname, '/login');
  });
});

test('a wrong password shows the generic error and stays on the login page', async () => {
  await inContext(browser, server, 'wrong-password', {}, async ({ page, context }) => {
    const messages = [];
    for (const [user, password] of [['admin', 'not-the-password'], ['nobody-here', server.password]]) {
      const res = await login(page, server.url, user, password);
      assert.equal(res.status(), 401);
      assert.equal(new URL(page.url()).pathname, '/login');
      const alert = page.locator('main .error[role=alert]');
      messages.push((await alert.innerText()).trim());
      assert.equal(await page.locator('input[name=username]').inputValue(), user);
      assert.equal(await page.locator('input[name=password]').inputValue(), '');
    }
    // The same words whether or not the account exists.
    assert.deepEqual(messages, ['手机号/用户名或密码不正确。', '手机号/用户名或密码不正确。']);
    assert.ok(!(await context.cookies()).some((c) => c.name === 'lf_session'));
  });
});

test('the language switch turns the login page into English and back', async () => {
  await inContext(browser, server, 'language', {}, async ({ page }) => {
    await page.goto(server.url + '/login');
    assert.equal(await heading(page), '登录雷锋志愿服务平台');

    await submitAndWait(page, page.locator('header').getByRole('button', { name: 'English' }));
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await heading(page), 'Sign in to Leifeng');
    assert.equal((await page.locator('main form button[type=submit]').innerText()).trim(), 'Sign in');
    assert.equal(await page.locator('label[for=username]').innerText(), 'Phone number or username');

    await submitAndWait(page, page.locator('header').getByRole('button', { name: '中文' }));
    assert.equal(await heading(page), '登录雷锋志愿服务平台');
  });
});
