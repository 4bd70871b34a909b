// Drives Spur's web console in Debian's Chromium for ConsoleBrowserTest, and reports what it saw.
//
//   node console-test.mjs '<json>'
//
// <json>: {"url", "accessKeyId", "secretKey", "function", "otherFunction", "deadLetterFunction", "marker",
//          "screenshots"}. Prints one JSON line with every observation; exit code 1 if a step failed.
import { chromium } from 'playwright-core';

const config = JSON.parse(process.argv[2] || '{}');
const out = { steps: [], consoleErrors: [], pageErrors: [], failedResponses: [] };
const shot = (page, name) => page.screenshot({ path: `${config.screenshots}/${name}`, fullPage: true });
const step = (name) => out.steps.push(name);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  // A failed response is also logged by Chromium as a console error; those are reported (and judged) as
  // failedResponses instead, since the test provokes some on purpose.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) out.consoleErrors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400) out.failedResponses.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`); });
  page.on('pageerror', (e) => out.pageErrors.push(String(e)));

  // Sign in: a wrong secret is refused, the right one opens the functions list.
  await page.goto(`${config.url}/console`, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForSelector('#signin', { timeout: 20_000 });
  await shot(page, 'console-signin.png');
  await page.fill('#access-key', config.accessKeyId);
  await page.fill('#secret-key', 'not-the-secret');
  await page.click('#signin-submit');
  await page.waitForFunction(() => document.querySelector('#signin-error').textContent.length > 0, null, { timeout: 20_000 });
  out.signInError = await page.textContent('#signin-error');
  step('wrong secret refused');
  await page.fill('#secret-key', config.secretKey);
  await page.click('#signin-submit');
  const row = `#functions tr[data-function="${config.function}"]`;
  await page.waitForSelector(row, { timeout: 20_000 });
  step('signed in');
  out.cookieVisibleToScript = await page.evaluate(() => document.cookie.includes('spur-console'));
  out.listed = await page.$$eval('#functions tbody tr', (rows) => rows.map((r) => r.dataset.function));
  await page.waitForSelector(`${row} .spark canvas`, { timeout: 20_000 });
  await page.waitForFunction((sel) => document.querySelector(sel + ' .invocations').textContent !== '0', row, { timeout: 20_000 });
  out.listedInvocations = await page.textContent(`${row} .invocations`);
  await shot(page, 'console-functions.png');
  await page.fill('#search', config.function.slice(0, 6));
  out.visibleAfterSearch = await page.$$eval('#functions tbody tr', (rows) => rows.filter((r) => !r.hidden).map((r) => r.dataset.function));
  await page.fill('#search', 'no-such-function-at-all');
  out.visibleAfterNoMatch = await page.$$eval('#functions tbody tr', (rows) => rows.filter((r) => !r.hidden).length);
  step('listed');

  // Another account's function is not there, and its API answers 404 as if absent.
  out.otherFunctionStatus = await page.evaluate(async (name) => (await fetch(`/2015-03-31/functions/${name}`)).status, config.otherFunction);
  // A state change without the CSRF header is refused even with the session cookie.
  out.deleteWithoutCsrf = await page.evaluate(async () => (await fetch('/spur/v1/dead-letters', { method: 'DELETE' })).status);

  // Drill down, test-invoke, and the live log shows the invocation's line.
  await page.fill('#search', '');
  await page.click(`${row} a.fn-link`);
  await page.waitForSelector('#fn-name', { timeout: 20_000 });
  await page.waitForSelector('#chart-invocations canvas', { timeout: 20_000 });
  step('function page');
  await page.fill('#event', JSON.stringify({ who: 'browser', marker: config.marker }));
  await page.fill('#event-name', 'from-the-test');
  await page.click('#save-event');
  await page.click('#invoke');
  await page.waitForSelector('#invoke-status[data-done]', { timeout: 30_000 });
  out.invokeStatus = await page.textContent('#invoke-status');
  out.invokeResponse = await page.textContent('#invoke-response');
  out.invokeLogs = await page.textContent('#invoke-logs');
  out.invokeReport = await page.textContent('#invoke-report');
  out.savedEvents = await page.$$eval('#saved-events option', (o) => o.map((x) => x.value).filter(Boolean));
  step('invoked');
  await page.waitForFunction((m) => document.querySelector('#log-tail').textContent.includes(m), config.marker, { timeout: 20_000 });
  out.liveLogSawMarker = true;
  step('live log');
  await page.waitForTimeout(1500); // the next series event redraws the charts with this invocation
  await shot(page, 'console-function.png');

  // Dead letters: inspect one, replay it.
  await page.click('a[href="#/async"]');
  const letter = '#dead-letters tbody tr[data-id]';
  await page.waitForSelector(letter, { timeout: 20_000 });
  out.deadLetterIds = await page.$$eval(letter, (rows) => rows.map((r) => r.dataset.id));
  await page.click(`${letter} button.inspect`);
  out.inspected = await page.textContent('#dead-letters pre.payload');
  await shot(page, 'console-dead-letters.png');
  await page.click(`${letter} button.replay`);
  await page.waitForSelector('#async-status[data-replayed]', { timeout: 20_000 });
  out.replayed = await page.getAttribute('#async-status', 'data-replayed');
  step('replayed');

  // Usage and cost, schedules, APIs, nodes: each page renders.
  await page.click('a[href="#/usage"]');
  await page.waitForSelector(`#usage-table tr[data-function="${config.function}"]`, { timeout: 20_000 });
  out.usageRow = await page.$eval(`#usage-table tr[data-function="${config.function}"]`, (r) => [...r.cells].map((c) => c.textContent));
  await shot(page, 'console-usage.png');
  for (const [link, selector] of [['#/schedules', '#schedules'], ['#/apis', '#apis'], ['#/nodes', '#nodes']]) {
    await page.click(`a[href="${link}"]`);
    await page.waitForSelector(selector, { timeout: 20_000 });
  }
  step('other pages');
  out.pageErrorShown = await page.$('#page-error') !== null;
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.failure = String(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
