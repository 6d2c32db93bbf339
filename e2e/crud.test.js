// The district admin creates a street and a community through the forms: field errors in
// Chinese next to their field, a name with markup shown as text (no script runs), and the
// audit log recording both.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startServer } = require('./server');
const {
  launchBrowser, inContext, login, submitAndWait, column, screenshot,
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

// Unique per run, so that the suite also passes on a database an earlier run used.
const RUN = Date.now().toString(36).slice(-5);
const STREET = `测试街道${RUN}`;
const COMMUNITY = `<script>alert(1)</script>测试社区${RUN}`;

test('district admin creates a street and a community; the audit log shows both', async () => {
  await inContext(browser, server, 'crud', {}, async ({ page, dialogs }) => {
    await login(page, server.url, 'admin', server.password);
    assert.equal(new URL(page.url()).pathname, '/');

    // ---- a street, first with an empty name
    await page.goto(server.url + '/streets');
    await submitAndWait(page, page.locator('main a.button[href="/streets/new"]'));
    assert.equal(new URL(page.url()).pathname, '/streets/new');
    assert.equal((await page.locator('h1').innerText()).trim(), '新建街道');

    let res = await submitAndWait(page, page.getByRole('button', { name: '保存' }));
    assert.equal(res.status(), 422);
    assert.equal((await page.locator('h1').innerText()).trim(), '新建街道', 'still the form');
    assert.equal((await page.locator('main p.error[role=alert]').innerText()).trim(),
      '请修改下方标红的内容后再提交。');
    const field = page.locator('.field[data-field=name]');
    assert.match(await field.getAttribute('class'), /has-error/);
    const input = field.locator('input[name=name]');
    const error = field.locator('.field-error');
    assert.equal((await error.innerText()).trim(), '此项必填。');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await input.getAttribute('aria-describedby'), await error.getAttribute('id'));
    // Next to the field: right under its input, not somewhere else on the page.
    const ib = await input.boundingBox();
    const eb = await error.boundingBox();
    assert.ok(eb.y >= ib.y + ib.height - 1 && eb.y - (ib.y + ib.height) < 40,
      `the error (y=${eb.y}) should sit right under the input (bottom=${ib.y + ib.height})`);
    await screenshot(page, 'desktop-street-form-error.png');

    await input.fill(STREET);
    res = await submitAndWait(page, page.getByRole('button', { name: '保存' }));
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/streets');
    assert.equal((await page.locator('main .flash').innerText()).trim(), '已保存。');
    assert.ok((await column(page, '名称')).includes(STREET), `${STREET} should be listed`);

    // The same name again is refused, next to the field.
    await page.goto(server.url + '/streets/new');
    await page.locator('input[name=name]').fill(STREET);
    res = await submitAndWait(page, page.getByRole('button', { name: '保存' }));
    assert.ok([409, 422].includes(res.status()), `duplicate street: ${res.status()}`);
    assert.equal((await page.locator('.field[data-field=name] .field-error').innerText()).trim(),
      '已有同名街道，请换一个名称。');

    // ---- a community whose name is markup
    await page.goto(server.url + '/communities');
    await submitAndWait(page, page.locator('main a.button[href="/communities/new"]'));
    assert.equal((await page.locator('h1').innerText()).trim(), '新建社区');
    await page.locator('select[name=street_id]').selectOption({ label: STREET });
    await page.locator('input[name=name]').fill(COMMUNITY);
    res = await submitAndWait(page, page.getByRole('button', { name: '保存' }));
    assert.equal(res.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/communities');
    assert.equal((await page.locator('main .flash').innerText()).trim(), '已保存。');

    // Found by the search box and shown as text, not run.
    await page.locator('form.search input[name=q]').fill(`测试社区${RUN}`);
    await submitAndWait(page, page.locator('form.search button[type=submit]'));
    assert.equal(await page.locator('main h1').innerText(), '社区 (1)');
    assert.deepEqual(await column(page, '名称'), [COMMUNITY]);
    assert.deepEqual(await column(page, '街道'), [STREET]);
    assert.equal(await page.locator('main script').count(), 0, 'no script element in the page');
    assert.ok((await page.content()).includes('&lt;script&gt;alert(1)&lt;/script&gt;'));

    // The edit form shows the name as the input's value.
    await submitAndWait(page, page.locator('table.list td.row-actions a', { hasText: '编辑' }));
    assert.match(new URL(page.url()).pathname, /^\/communities\/\d+\/edit$/);
    assert.equal(await page.locator('input[name=name]').inputValue(), COMMUNITY);
    assert.equal(await page.locator('select[name=street_id] option:checked').innerText(), STREET);

    // ---- the audit log
    await page.goto(server.url + '/audit');
    assert.match(await page.locator('h1').innerText(), /^操作日志 \(\d+\)$/);
    const rows = page.locator('table.audit tbody tr');
    const streetRow = rows.filter({ hasText: STREET }).filter({ hasText: '街道 #' });
    const communityRow = rows.filter({ hasText: `测试社区${RUN}` }).filter({ hasText: '社区 #' });
    assert.equal(await streetRow.count(), 1, 'one audit entry for the street');
    assert.equal(await communityRow.count(), 1, 'one audit entry for the community');
    for (const row of [streetRow, communityRow]) {
      assert.equal((await row.locator('td').nth(1).innerText()).trim(), 'admin');
      assert.equal((await row.locator('td').nth(2).innerText()).trim(), '新建');
    }
    assert.match(await communityRow.locator('td').nth(3).innerText(), new RegExp(
      COMMUNITY.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    // Newest first: the community, then the street.
    const labels = await rows.locator('td:nth-child(4)').allInnerTexts();
    const ci = labels.findIndex((l) => l.includes(`测试社区${RUN}`));
    const si = labels.findIndex((l) => l.includes(STREET) && l.startsWith('街道'));
    assert.ok(ci >= 0 && si > ci, `community entry (${ci}) should come before the street's (${si})`);
    assert.equal(await page.locator('main script').count(), 0);
    await screenshot(page, 'desktop-audit-after-crud.png');

    // The audit log's own filter finds the community by its name.
    await page.locator('form.filters input[name=q]').fill(`测试社区${RUN}`);
    await submitAndWait(page, page.locator('form.filters button[type=submit]'));
    assert.ok(await rows.count() >= 1);
    for (const l of await rows.locator('td:nth-child(4)').allInnerTexts()) {
      assert.ok(l.includes(`测试社区${RUN}`), `filtered audit row: ${l}`);
    }

    assert.deepEqual(dialogs, [], 'no dialog may open');
  });
});
