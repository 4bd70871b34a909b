// Loads one page in Debian's Chromium and reports what it showed, for BrowserTest.
//
//   node page-test.mjs <page url> <screenshot path>
//
// The page writes its outcome into #out and marks it with data-state="ok" or "error". This script
// waits for that mark, takes a full-page screenshot, and prints one JSON line:
//   {"state": "ok"|"error", "text": <#out's text>, "consoleErrors": [...], "pageErrors": [...]}
// Exit code 0 when the page reached a state (either one), 1 when it did not or the browser failed.
import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node page-test.mjs <page url> <screenshot path>');
  process.exit(2);
}

const consoleErrors = [];
const pageErrors = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // As root (CI) Chromium needs --no-sandbox; the rest keeps it from calling out to Google's hosts,
  // which this machine's closed network refuses.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 400 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
  const out = await page.waitForSelector('#out[data-state]', { timeout: 20_000 });
  const state = await out.getAttribute('data-state');
  const text = await out.textContent();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ state, text, consoleErrors, pageErrors }));
} catch (e) {
  console.log(JSON.stringify({ state: 'failed', text: String(e), consoleErrors, pageErrors }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
