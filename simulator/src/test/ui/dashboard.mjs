// Usage: node dashboard.mjs ADMIN_URL DATA_URL MODEL SCREENSHOT [CHROMIUM]
// Opens ADMIN_URL/ui in headless Chromium, checks the router's pods are shown, sends streamed chat
// requests to DATA_URL, checks the page updates (reserved tokens seen, decisions listed), writes a
// screenshot taken while the load runs. Prints one JSON object of what it saw; exits non-zero on a failed check.
import { chromium } from 'playwright-core';

const [admin, data, model, screenshot, executable = '/usr/bin/chromium'] = process.argv.slice(2);
const result = { pods: [], decisionsBefore: null, decisionsAfter: null, sawReserved: false };

const browser = await chromium.launch({ executablePath: executable, headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(admin + '/ui');
  await page.waitForSelector('.pod[data-pod]', { timeout: 15000 });
  result.pods = await page.$$eval('.pod[data-pod]', rows => rows.map(r => r.dataset.pod));
  result.decisionsBefore = Number(await page.evaluate(() => document.body.dataset.decisions));

  const requests = [];
  for (let i = 0; i < 16; i++) {
    requests.push(fetch(data + '/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'ui-' + i },
      body: JSON.stringify({ model, stream: true, max_tokens: 300,
        messages: [{ role: 'user', content: 'Tell me a long story, part ' + i }] }),
    }).then(r => r.text()));
  }
  // While the streams run, the pods' bars show reserved tokens.
  for (let i = 0; i < 40 && !result.sawReserved; i++) {
    await page.waitForTimeout(250);
    result.sawReserved = await page.$$eval('.pod .small', cells =>
      cells.some(c => /reserved [1-9]/.test(c.textContent)));
  }
  // The screenshot shows the page under load: bars filled, decisions listed.
  await page.screenshot({ path: screenshot, fullPage: true });
  await Promise.all(requests);
  await page.waitForFunction(before => Number(document.body.dataset.decisions) >= before + 16,
    result.decisionsBefore, { timeout: 15000 });
  result.decisionsAfter = Number(await page.evaluate(() => document.body.dataset.decisions));
  result.decisionRows = await page.$$eval('#decisions tbody tr', rows => rows.length);
  result.firstDecision = await page.$eval('#decisions tbody tr td:nth-child(2)', td => td.textContent);
  result.firstScores = await page.$eval('#decisions tbody tr td:nth-child(10)', td => td.textContent);
  result.errors = errors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
