// Starts a Leifeng server for one test file: a fresh temp data dir, the demo district, a free
// port, and a stop() that kills it and removes the data dir.
//
//   LEIFENG_BIN               the binary to run (default: ../target/debug/leifeng from here)
//   LEIFENG_E2E_DATABASE_URL  run on this database (e.g. PostgreSQL) instead of SQLite in the
//                             temp dir. The database must be empty, or seeded by an earlier run of
//                             this suite (the demo accounts then keep the same password).
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const BIN = process.env.LEIFENG_BIN
  ? path.resolve(process.env.LEIFENG_BIN)
  : path.resolve(__dirname, '..', 'target', 'debug', 'leifeng');
const PASSWORD = 'E2e-Demo-Pass-7';
const READY_TIMEOUT_MS = 30_000;

async function waitForReady(url, child, deadline) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url}/readyz did not answer 200 in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the server; resolves to { url, password, output(), stop() }. */
async function startServer() {
  if (!fs.existsSync(BIN)) {
    throw new Error(`no Leifeng binary at ${BIN}: build it, or set LEIFENG_BIN`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leifeng-e2e-'));
  // Port 0: the OS picks a free port, and the server prints the address it got.
  const args = ['serve', '--demo', '--data-dir', dataDir, '--addr', '127.0.0.1:0'];
  let dbUrl = process.env.LEIFENG_E2E_DATABASE_URL;
  if (dbUrl) {
    // Each server (one per test file) gets a database of its own, so what one file changes (a
    // language remembered per user, a password reset) never reaches another. The test script drops
    // every lf_e2e_* database afterwards.
    const name = `lf_e2e_${process.pid}_${Date.now()}`;
    const admin = new URL(dbUrl);
    admin.pathname = '/postgres';
    execFileSync('psql', [admin.toString(), '-qc', `create database "${name}"`]);
    const own = new URL(dbUrl);
    own.pathname = `/${name}`;
    dbUrl = own.toString();
    args.push('--database-url', dbUrl);
  }

  const env = { ...process.env, LEIFENG_DEMO_PASSWORD: PASSWORD, LEIFENG_LOG: 'warn,sqlx=warn' };
  // Settings the server reads from the environment must not leak in from the developer's shell.
  for (const k of ['LEIFENG_DATABASE_URL', 'LEIFENG_DATA_DIR', 'LEIFENG_ADDR', 'LEIFENG_DEMO',
    'LEIFENG_TRUST_PROXY', 'LEIFENG_COOKIE_SECURE']) {
    delete env[k];
  }

  const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { out += d; });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in time:\n${out}`)), READY_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Leifeng is serving at (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before it was ready:\n${out}`));
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
  }).catch((e) => {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  });
  try {
    await waitForReady(url, child, deadline);
  } catch (e) {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${e.message}\n${out}`);
  }

  return {
    url,
    password: PASSWORD,
    /** Where the server keeps its files (its SQLite database), and its PostgreSQL URL if any. */
    dataDir,
    databaseUrl: dbUrl,
    /** Everything the server printed so far (for failure messages). */
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

module.exports = { startServer, BIN, PASSWORD };
