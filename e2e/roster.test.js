// A unit's contact registers a new team, uploads a messy roster (附件2) that has three really
// wrong rows, reads the problems by Excel row and column, uploads the fixed file, submits the
// roster; the district office accepts it. The workbooks are written here with exceljs.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const ExcelJS = require('exceljs');

const { startServer } = require('./server');
const {
  launchBrowser, inContext, login, submitAndWait, column, screenshot,
} = require('./browser');

/** The team page's link that shows ID numbers and phones in full (for those who keep the roster). */
const REVEAL = '查看完整证件号和电话';

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

// Unique per run, so that the suite also passes on a database an earlier run used: the team name,
// and the people's ID numbers and phones (a known person would be linked, not added).
const RUN = Date.now().toString(36).slice(-5);
const SEED = parseInt(RUN, 36);
const TEAM = `明湖区税务局青年突击队${RUN}`;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A resident ID (GB 11643): area 330106, the birth date, a sequence number of the right parity
 *  for the sex (odd for men), and the MOD 11-2 check character. */
function residentId(y, m, d, sex, k) {
  const seq = ((SEED % 400) * 2 + k * 2 + (sex === '男' ? 1 : 0)) % 1000;
  const body = `330106${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`
    + String(seq).padStart(3, '0');
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** The same number with a wrong check character. */
function withBadCheck(id) {
  const chars = '10X98765432';
  return id.slice(0, 17) + chars[(chars.indexOf(id[17]) + 1) % 11];
}

function mobile(k) {
  return `139${String((SEED * 7919 + k * 104_729) % 100_000_000).padStart(8, '0')}`;
}

/** Full-width digits (０１２…), as some input methods type them. */
function fullWidth(s) {
  return s.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xFEE0));
}

function masked(id) {
  return `${id.slice(0, 6)}********${id.slice(14)}`;
}

const minorYear = new Date().getFullYear() - 15;
const P = {
  chen: { name: '陈晓东', sex: '男', id: residentId(1985, 3, 14, '男', 1), phone: mobile(1) },
  lin: { name: '林小雨', sex: '女', id: residentId(1990, 5, 21, '女', 2), phone: mobile(2) },
  zhao: { name: '赵一鸣', sex: '男', id: residentId(1992, 7, 9, '男', 3), phone: mobile(3) },
  sun: { name: '孙悦', sex: '女', id: residentId(1988, 11, 2, '女', 4), phone: mobile(4) },
  zhou: { name: '周航', sex: '男', id: residentId(1995, 6, 8, '男', 5), phone: mobile(5) },
  wu: { name: '吴敏', sex: '女', id: residentId(1991, 1, 1, '女', 6), phone: mobile(6) },
  zheng: { name: '郑强', sex: '男', id: residentId(1987, 9, 30, '男', 7), phone: mobile(7) },
  chen2: { name: '陈晓冬', sex: '男', id: residentId(1986, 12, 24, '男', 8), phone: mobile(8) },
  he: { name: '王小禾', sex: '女', id: residentId(minorYear, 3, 15, '女', 9), phone: mobile(9) },
};
const BAD_ID = withBadCheck(P.wu.id);
const BAD_PHONE = P.zheng.phone.slice(0, 10); // ten digits

/**
 * The roster as people send it: a merged title row, a unit line, a header with line breaks, an
 * alias and the columns in their own order, merged 工作单位 cells, full-width digits, a phone
 * with dashes and one with spaces, birth dates as text and as a real Excel date, 党员/团员 short
 * forms, blank rows and a signature line under the table. `fixed` corrects the three wrong rows.
 */
async function messyRoster(fixed) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名册');
  const header = ['序号', '姓  名', '性别', '身份证号', '出生\n年月', '手机号码', '政治\n面貌', '工作单位',
    '职务', '管理\n人员', '服务类别', '专业特长', '居住区域', '监护人', '监护人\n电话'];
  const row = (n, p, birth, phone, politics, extra = {}) => [n, p.name, p.sex, extra.id ?? p.id, birth,
    phone, politics, extra.employer ?? '', extra.post ?? '科员', extra.manager ?? '否', extra.categories ?? '',
    extra.skills ?? '', extra.residence ?? '', extra.guardian ?? '', extra.guardianPhone ?? ''];
  const rows = [
    ['附件2 志愿者队伍基本情况登记表'], // 1
    ['填报单位（盖章）：明湖区税务局', null, null, null, null, null, null, null, null, '填报日期：2026年4月15日'], // 2
    header, // 3
    row(1, P.chen, new Date(Date.UTC(1985, 2, 14)), `${P.chen.phone.slice(0, 3)}-${P.chen.phone.slice(3, 7)}-${P.chen.phone.slice(7)}`,
      '党员', { id: fullWidth(P.chen.id), employer: '明湖区税务局', post: '科长', manager: '是', categories: '1、7', skills: '摄影', residence: '东湖街道' }), // 4
    row(2, P.lin, '1990.05', `${P.lin.phone.slice(0, 3)} ${P.lin.phone.slice(3, 7)} ${P.lin.phone.slice(7)}`, '团员'), // 5
    [], // 6
    row(3, P.zhao, '1992年7月', P.zhao.phone, '预备党员', { employer: '明湖区税务局' }), // 7
    row(4, P.sun, '1988-11-02', P.sun.phone, '群众', { employer: '明湖区税务局' }), // 8
    row(5, P.zhou, '1995/6/8', fullWidth(P.zhou.phone), '共青团员', { employer: '明湖区税务局' }), // 9
    row(6, P.wu, '1991.1', P.wu.phone, '群众', { id: fixed ? P.wu.id : BAD_ID }), // 10
    row(7, P.zheng, '1987.09', fixed ? P.zheng.phone : BAD_PHONE, '党员'), // 11
    fixed // 12: the same person as row 4 again, or someone else
      ? row(8, P.chen2, '1986-12-24', P.chen2.phone, '群众')
      : row(8, P.chen, new Date(Date.UTC(1985, 2, 14)), P.chen.phone, '中共党员'),
    row(9, P.he, '', P.he.phone, '', { guardian: '王大山', guardianPhone: '0571-8765 4321' }), // 13
    [], // 14
    ['填表人：刘芳　　联系电话：0571-87654321'], // 15
  ];
  rows.forEach((values, i) => {
    values.forEach((v, j) => {
      if (v !== null && v !== undefined && v !== '') ws.getCell(i + 1, j + 1).value = v;
    });
  });
  ws.mergeCells('A1:O1');
  ws.mergeCells('H4:H5'); // one 工作单位 cell for the first two people
  for (const r of [4, 12]) ws.getCell(`E${r}`).numFmt = 'yyyy-mm-dd';
  ws.getRow(3).alignment = { wrapText: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Uploads `buffer` on the import page and clicks `button`; answers what the page shows. */
async function upload(page, buffer, button, name = 'roster.xlsx') {
  await page.locator('input[type=file][name=file]').setInputFiles({ name, mimeType: XLSX, buffer });
  const res = await submitAndWait(page, page.getByRole('button', { name: button, exact: true }));
  const summary = (await page.locator('main p[role=status]').innerText()).trim();
  const problems = [];
  for (const tr of await page.locator('main table.list tbody tr').all()) {
    const [row, col, value, message] = (await tr.locator('td').allInnerTexts()).map((s) => s.trim());
    problems.push({ row: Number(row), column: col, value, message });
  }
  return { status: res.status(), summary, problems };
}

const CHECK = '检查（不写入）';
const IMPORT = '导入';

test('a unit registers a team, fixes and imports a messy roster, submits it; the district accepts it', async () => {
  let teamUrl;
  await inContext(browser, server, 'roster-unit', {}, async ({ page, dialogs }) => {
    await login(page, server.url, 'shuiwu', server.password);
    assert.equal(new URL(page.url()).pathname, '/');

    // ---- register the team
    await page.goto(server.url + '/teams');
    await submitAndWait(page, page.locator('main a.button[href="/teams/new"]'));
    assert.equal((await page.locator('h1').innerText()).trim(), '登记志愿服务队');
    assert.equal(await page.locator('select[name=unit_id]').count(), 0, 'a unit registers for itself');
    await page.getByRole('textbox', { name: '队伍名称', exact: true }).fill(TEAM);
    await page.getByRole('textbox', { name: '负责人', exact: true }).fill('李国栋');
    await page.getByRole('textbox', { name: '负责人电话', exact: true }).fill('138 1111 2222');
    await page.getByRole('textbox', { name: '联系人', exact: true }).fill('刘芳');
    await page.getByRole('textbox', { name: '联系电话', exact: true }).fill('0571-87654321');
    let res = await submitAndWait(page, page.locator('main form button[type=submit]'));
    assert.equal(res.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/teams\/\d+$/);
    teamUrl = page.url();
    assert.equal((await page.locator('main .flash').innerText()).trim(), '已保存。');
    assert.match(await page.locator('h1').innerText(), new RegExp(`^${TEAM}\\s+明湖区税务局$`));
    assert.equal((await page.locator('.facts span.status').innerText()).trim(), '草稿');
    assert.match(await page.locator('.facts').innerText(), /李国栋 13811112222/);
    assert.equal((await page.locator('main p.empty').innerText()).trim(),
      '名册还是空的：请逐个添加，或下载模板填好后导入。');

    // ---- the messy file with three wrong rows: every problem, at its Excel row and column
    await submitAndWait(page, page.getByRole('link', { name: '导入名册 Excel' }));
    assert.equal(new URL(page.url()).pathname, `${new URL(teamUrl).pathname}/roster/import`);
    const bad = await messyRoster(false);
    let r = await upload(page, bad, CHECK, '附件2-税务局.xlsx');
    assert.equal(r.status, 422);
    assert.equal(r.summary, '共 9 行，发现 3 处问题，未写入任何数据。请按下表修改后重新上传。');
    assert.deepEqual(await page.locator('main table.list thead th').allInnerTexts(), ['行号', '列', '内容', '问题']);
    assert.deepEqual(r.problems, [
      {
        row: 10,
        column: '证件号码',
        value: BAD_ID,
        message: '身份证号校验不通过，可能有数字输错或前后颠倒，请对照证件逐位核对；最后一位是 X 的请照填 X。',
      },
      {
        row: 11,
        column: '联系电话',
        value: BAD_PHONE,
        message: '电话号码格式不对：手机号应为 11 位（如 13812345678），座机如 0571-87654321。',
      },
      { row: 12, column: '证件号码', value: P.chen.id, message: '与第 4 行是同一个人，请删除重复行。' },
    ]);
    await screenshot(page, 'desktop-roster-import-errors.png');

    // 导入 with the same file writes nothing either.
    r = await upload(page, bad, IMPORT);
    assert.equal(r.status, 422);
    assert.equal(r.problems.length, 3);
    await page.goto(teamUrl);
    assert.equal(await page.locator('main p.empty').count(), 1, 'the roster is still empty');

    // ---- the fixed file: checked, then imported
    await page.goto(`${teamUrl}/roster/import`);
    const good = await messyRoster(true);
    r = await upload(page, good, CHECK);
    assert.equal(r.status, 200);
    assert.equal(r.summary, '检查通过：共 9 行全部无误（其中 0 人已在本名册中）。点“导入”即可写入。');
    assert.deepEqual(r.problems, []);
    r = await upload(page, good, IMPORT);
    assert.equal(r.status, 200);
    assert.equal(r.summary, '导入完成：共 9 行，名册新增或更新 9 人，0 人已在名册中未变。');
    assert.equal(await page.locator('main p.hint', { hasText: '已关联到原记录' }).count(), 0,
      'nobody was on record before');
    await screenshot(page, 'desktop-roster-import-done.png');

    // ---- the roster: nine people, normalised; the unit maintains it: masked until it asks to see
    // the numbers in full (the view is logged)
    await submitAndWait(page, page.locator('main').getByRole('link', { name: '返回', exact: true }));
    assert.equal(page.url(), teamUrl);
    assert.equal((await page.locator('main h2', { hasText: '志愿者名册' }).innerText()).trim(), '志愿者名册（附件2） (9)');
    const people = [P.chen, P.lin, P.zhao, P.sun, P.zhou, P.wu, P.zheng, P.chen2, P.he];
    for (const id of await column(page, '证件号码')) assert.match(id, /^\d{6}\*{8}\d{3}[\dX]$/);
    await submitAndWait(page, page.locator('main').getByRole('link', { name: REVEAL, exact: true }));
    assert.equal(page.url(), `${teamUrl}?reveal=true`);
    assert.deepEqual((await column(page, '姓名')).sort(), people.map((p) => p.name).sort());
    assert.deepEqual((await column(page, '证件号码')).sort(), people.map((p) => p.id).sort());
    const rowOf = async (name) => (await page.locator('table.list tbody tr')
      .filter({ has: page.locator('td', { hasText: new RegExp(`^${name}$`) }) })
      .locator('td').allInnerTexts()).map((s) => s.trim());
    // 编号, 姓名, 性别, 出生年月, 政治面貌, 证件号码, 联系电话, 管理人员
    assert.deepEqual((await rowOf('陈晓东')).slice(1, 8),
      ['陈晓东', '男', '1985-03-14', '中共党员', P.chen.id, P.chen.phone, '是']);
    assert.deepEqual((await rowOf('林小雨')).slice(1, 7),
      ['林小雨', '女', '1990-05-21', '共青团员', P.lin.id, P.lin.phone]);
    assert.deepEqual((await rowOf('赵一鸣')).slice(4, 5), ['中共预备党员']);
    assert.deepEqual((await rowOf('周航')).slice(6, 7), [P.zhou.phone], 'full-width digits folded');
    assert.deepEqual((await rowOf('王小禾')).slice(2, 4), ['女', `${minorYear}-03-15`]);
    for (const n of await column(page, '志愿者编号')) assert.match(n, /^LF\d{8}$/);
    // 陈晓东 was declared a manager (管理人员 是) with his post.
    assert.match(await page.locator('main section', { hasText: '单位管理人员' }).innerText(), /陈晓东（科长）/);
    await screenshot(page, 'desktop-roster-team.png');

    // ---- submit
    res = await submitAndWait(page, page.getByRole('button', { name: '上报名册' }));
    assert.equal(res.status(), 200);
    assert.equal(page.url(), teamUrl);
    assert.equal((await page.locator('main .flash').innerText()).trim(), '名册已上报区文明办。');
    assert.match(await page.locator('.facts span.status').innerText(), /^已上报/);
    assert.equal(await page.getByRole('button', { name: '上报名册' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: '审核通过' }).count(), 0, 'a unit does not review');
    assert.deepEqual(dialogs, []);
  });

  // ---- a paired community sees the roster, with ID numbers and phones masked in the middle
  await inContext(browser, server, 'roster-community', {}, async ({ page }) => {
    await login(page, server.url, 'chunxiao', server.password);
    const res = await page.goto(teamUrl);
    assert.equal(res.status(), 200);
    const ids = await column(page, '证件号码');
    assert.equal(ids.length, 9);
    for (const id of ids) assert.match(id, /^\d{6}\*{8}\d{3}[\dX]$/);
    assert.deepEqual(ids.sort(), [P.chen, P.lin, P.zhao, P.sun, P.zhou, P.wu, P.zheng, P.chen2, P.he]
      .map((p) => masked(p.id)).sort());
    for (const ph of await column(page, '联系电话')) assert.match(ph, /^1\d{2}\*{4}\d{4}$/);
    assert.equal(await page.getByRole('link', { name: '导入名册 Excel' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: '审核通过' }).count(), 0);
  });

  // ---- the district office accepts it; the board lists the unit
  await inContext(browser, server, 'roster-district', {}, async ({ page, dialogs }) => {
    await login(page, server.url, 'admin', server.password);
    await page.goto(server.url + '/teams');
    await submitAndWait(page, page.locator('table.list').getByRole('link', { name: TEAM, exact: true }));
    assert.equal(page.url(), teamUrl);
    assert.match(await page.locator('.facts span.status').innerText(), /^已上报/);
    await screenshot(page, 'desktop-roster-review.png');
    const res = await submitAndWait(page, page.getByRole('button', { name: '审核通过' }));
    assert.equal(res.status(), 200);
    assert.equal((await page.locator('main .flash').innerText()).trim(), '名册已审核通过。');
    assert.equal((await page.locator('.facts span.status').innerText()).trim(), '已通过');
    assert.equal(await page.getByRole('button', { name: '审核通过' }).count(), 0);

    await page.goto(server.url + '/board');
    const names = await column(page, '名称');
    assert.ok(names.some((n) => /^明湖区税务局\s/.test(n)), `明湖区税务局 should be on the board: ${names.slice(0, 5)}…`);
    const teams = await column(page, '队伍数');
    const i = names.findIndex((n) => /^明湖区税务局\s/.test(n));
    assert.ok(Number(teams[i]) >= 2, `the demo team and the new one: ${teams[i]}`);
    assert.deepEqual(dialogs, []);
  });
});

// ---- messy details found by the first runs of this suite

async function dryRunAsUnit(buffer) {
  let out;
  await inContext(browser, server, 'roster-probe', {}, async ({ page }) => {
    await login(page, server.url, 'shuiwu', server.password);
    await page.goto(server.url + '/teams');
    await submitAndWait(page, page.locator('table.list').getByRole('link', { name: '明湖区税务局学雷锋志愿服务队', exact: true }));
    await submitAndWait(page, page.getByRole('link', { name: '导入名册 Excel' }));
    out = await upload(page, buffer, CHECK);
  });
  return out;
}

async function sheet(rows, merges = []) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名册');
  rows.forEach((values, i) => values.forEach((v, j) => {
    if (v !== null && v !== undefined) ws.getCell(i + 1, j + 1).value = v;
  }));
  for (const m of merges) ws.mergeCells(m);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const HEAD = ['序号', '姓名', '性别', '身份证号', '出生年月', '联系电话', '政治面貌'];

test('a signature line merged across the table is not a data row', async () => {
  const r = await dryRunAsUnit(await sheet([HEAD,
    [1, P.sun.name, P.sun.sex, P.sun.id, '', P.sun.phone, '群众'],
    ['填表人：刘芳　　联系电话：0571-87654321']], ['A3:G3']));
  assert.deepEqual(r.problems, []);
});

test('a signature line with two names is not a data row', async () => {
  const r = await dryRunAsUnit(await sheet([HEAD,
    [1, P.sun.name, P.sun.sex, P.sun.id, '', P.sun.phone, '群众'],
    ['填表人：刘芳', null, null, '审核人：王五']]));
  assert.deepEqual(r.problems, []);
});

test('a problem in an Excel date cell shows the date, not its serial number', async () => {
  const r = await dryRunAsUnit(await sheet([HEAD,
    [1, P.chen.name, P.chen.sex, P.chen.id, new Date(Date.UTC(1986, 2, 14)), P.chen.phone, '群众']]));
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0].column, '出生年月');
  assert.match(r.problems[0].value, /1986/);
});

test('a birth date cell that holds a time of day is still a date', async () => {
  const r = await dryRunAsUnit(await sheet([HEAD,
    [1, P.chen.name, P.chen.sex, P.chen.id, new Date(Date.UTC(1985, 2, 14, 8, 0)), P.chen.phone, '群众']]));
  assert.deepEqual(r.problems, []);
});
