// tests/browser/browser.test.mjs: the demo page of `pintgw --demo` and its
// click-to-call widget in headless Chromium, as a visitor would use them.
//
//   node browser.test.mjs http://127.0.0.1:PORT/
//
// CHROMIUM names the browser (default /usr/bin/chromium), ARTIFACTS the
// folder for screenshots (default ./artifacts). TAP on stdout, then a
// line "N passed, N failed"; the exit status is 1 when anything failed.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = process.argv[2] || process.env.PINTGW_URL;
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = process.env.ARTIFACTS || path.join(here, 'artifacts');
const CALL_TIMEOUT = 60000;     // ms for one call to end
const WATCHDOG = 300000;        // ms for the whole run

const problems = [];            // page errors and console errors
let passed = 0;
let failed = 0;

function tap(ok, name, err) {
  const n = passed + failed + 1;
  if (ok) {
    passed++;
    console.log(`ok ${n} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    for (const line of String((err && err.stack) || err).split('\n'))
      console.log(`  # ${line}`);
  }
}

async function test(name, fn) {
  try {
    await fn();
    tap(true, name);
  } catch (e) {
    tap(false, name, e);
  }
}

function check(cond, msg) {
  if (!cond)
    throw new Error(msg);
}

async function shot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, name), fullPage: true });
}

// The widget's root element follows the call button.
const ROOT = '#call-button + .pint-widget';

async function widgetState(page) {
  return page.$eval(ROOT, (r) => ({
    status: r.getAttribute('data-pint-status'),
    outcome: r.getAttribute('data-pint-outcome'),
    request: r.getAttribute('data-pint-request'),
    error: r.getAttribute('data-pint-error'),
    text: r.querySelector('.pint-status').textContent.trim(),
  }));
}

// Opens the widget, types the number, submits, waits for the end.
async function call(page, number, want) {
  await page.click('#call-button');
  await page.waitForSelector(`${ROOT} .pint-input:focus`, { timeout: 5000 });
  await page.fill(`${ROOT} .pint-input`, number);
  await page.click(`${ROOT} .pint-submit`);
  const sel = `${ROOT}[data-pint-status="${want.status}"]` +
    (want.outcome ? `[data-pint-outcome="${want.outcome}"]` : '');
  try {
    await page.waitForSelector(sel, { timeout: CALL_TIMEOUT });
  } catch (e) {
    const st = await widgetState(page).catch(() => null);
    throw new Error(`${number}: no ${sel} within ${CALL_TIMEOUT} ms; widget: ` +
      JSON.stringify(st) + '; statuses seen: ' +
      JSON.stringify(await page.evaluate(() => window.__pintSeen)));
  }
  return widgetState(page);
}

async function main() {
  check(base, 'usage: node browser.test.mjs URL');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pintgw-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: exe,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1000 },
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error')
        problems.push(`console error: ${m.text()} (${JSON.stringify(m.location())})`);
    });
    await page.addInitScript(() => {
      window.__pintSeen = [];
      document.addEventListener('pint:status', (e) => window.__pintSeen.push(e.detail.status));
    });
    await run(page);
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function run(page) {
  const ids = {};

  await test('the demo page loads and the widget arms the call button', async () => {
    const cfg = await fetch(new URL('/demo/config', base));
    check(cfg.status === 200, `GET /demo/config answered ${cfg.status}`);
    const conf = await cfg.json();
    check(conf.api_key && conf.click_token,
      `/demo/config lacks api_key or click_token: ${Object.keys(conf)}`);
    const res = await page.goto(base, { waitUntil: 'load' });
    check(res && res.status() === 200, `GET / answered ${res && res.status()}`);
    check((await page.textContent('h1')).includes('pintgw'), 'no pintgw heading');
    await page.waitForSelector('#call-button[data-pint-token] + .pint-widget',
      { state: 'attached', timeout: 10000 });
    const rows = await page.$$eval('#outcomes tbody tr', (trs) => trs.map((t) => t.textContent));
    check(rows.some((t) => t.includes('0000')) && rows.some((t) => t.includes('0486')),
      `outcome table lacks 0000/0486: ${JSON.stringify(rows)}`);
    const st = await widgetState(page);
    check(st.status === 'idle', `widget starts ${st.status}`);
  });

  await test('a bad number is refused in the form, Escape closes it', async () => {
    await page.click('#call-button');
    await page.waitForSelector(`${ROOT} .pint-input:focus`, { timeout: 5000 });
    check(await page.getAttribute('#call-button', 'aria-expanded') === 'true', 'not expanded');
    const label = await page.$eval(`${ROOT} .pint-input`, (i) => i.labels[0] && i.labels[0].textContent);
    check(label && label.trim(), 'the number field has no label');
    check(await page.getAttribute(`${ROOT} .pint-input`, 'type') === 'tel', 'not type=tel');
    await page.fill(`${ROOT} .pint-input`, '12');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${ROOT} .pint-input[aria-invalid="true"]`, { timeout: 2000 });
    const msg = (await page.textContent(`${ROOT} .pint-error`)).trim();
    check(msg.length > 10, `no error message: "${msg}"`);
    check((await widgetState(page)).status === 'editing', 'a request was sent');
    await page.keyboard.press('Escape');
    await page.waitForSelector(`${ROOT}[data-pint-status="idle"] .pint-form[hidden]`,
      { state: 'attached', timeout: 2000 });
    check(await page.evaluate(() => document.activeElement.id) === 'call-button',
      'focus did not return to the call button');
  });

  await test('+1 555 555 0000 is answered: the widget ends "completed"', async () => {
    const st = await call(page, '+1 555 555 0000', { status: 'completed' });
    ids.answered = st.request;
    await shot(page, '01-answered.png');
    check(/^rq_/.test(st.request || ''), `no request id: ${st.request}`);
    check(st.outcome === 'ok', `outcome ${st.outcome}`);
    check(st.text.includes('Call completed'), `status line: ${st.text}`);
  });

  await test('+1 555 555 0486 is busy: the widget ends "failed", outcome "busy"', async () => {
    const st = await call(page, '+1 555 555 0486', { status: 'failed', outcome: 'busy' });
    ids.busy = st.request;
    await shot(page, '02-busy.png');
    check(/^rq_/.test(st.request || '') && st.request !== ids.answered,
      `request id ${st.request}`);
    check(st.text.includes('Line busy'), `status line: ${st.text}`);
  });

  await test('the requests table shows both calls', async () => {
    check(ids.answered && ids.busy, 'no request ids from the calls');
    await page.waitForSelector(`#requests tr[data-id="${ids.answered}"][data-status="completed"]`,
      { timeout: 10000 });
    await page.waitForSelector(`#requests tr[data-id="${ids.busy}"][data-status="failed"]`,
      { timeout: 10000 });
    const busyRow = await page.textContent(`#requests tr[data-id="${ids.busy}"]`);
    check(busyRow.includes('busy'), `busy row: ${busyRow}`);
    const order = await page.$$eval('#requests tbody tr', (trs) => trs.map((t) => t.dataset.id));
    check(order.indexOf(ids.busy) < order.indexOf(ids.answered), 'not newest first');
  });

  await test('the answered call shows its events and SIP messages (INVITE, 200)', async () => {
    check(ids.answered, 'no request id from the answered call');
    await page.click(`#requests tr[data-id="${ids.answered}"] th button`);
    await page.waitForSelector('#detail:not([hidden])', { timeout: 5000 });
    await page.waitForFunction(() => {
      const firsts = [...document.querySelectorAll('#trace .first')].map((e) => e.textContent);
      return firsts.some((t) => t.startsWith('INVITE ')) &&
        firsts.some((t) => /^SIP\/2\.0 200\b/.test(t));
    }, null, { timeout: 10000 }).catch(async () => {
      const firsts = await page.$$eval('#trace .first', (es) => es.map((e) => e.textContent));
      throw new Error(`trace: ${JSON.stringify(firsts)}; note: ` +
        await page.textContent('#trace-note'));
    });
    await page.waitForSelector('#events li[data-status="completed"]', { timeout: 10000 });
    const invite = page.locator('#trace li', { hasText: 'INVITE ' }).first();
    await invite.locator('summary').click();
    const text = await invite.locator('pre').textContent();
    check(/^INVITE /.test(text) && /^call-id:/im.test(text) && /\r?\n\r?\nv=0/.test(text),
      `INVITE text: ${text.slice(0, 300)}`);
    await shot(page, '03-trace.png');
  });

  await test('no page errors and no console errors', async () => {
    check(problems.length === 0, problems.join('\n'));
  });
}

const watchdog = setTimeout(() => {
  console.log('Bail out! the browser test took longer than ' + WATCHDOG / 1000 + ' s');
  process.exit(1);
}, WATCHDOG);

main().catch((e) => tap(false, 'the browser runs', e)).finally(() => {
  clearTimeout(watchdog);
  console.log(`1..${passed + failed}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed || !passed ? 1 : 0;
});
