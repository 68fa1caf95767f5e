import { expect } from '@playwright/test';

export const base = () => process.env.RILLMARK_URL;
export const token = () => process.env.RILLMARK_TOKEN;

export async function stats(request) {
  const res = await request.get(`${base()}/v1/stats`, { headers: { Authorization: `Bearer ${token()}` } });
  return res.json();
}

// Opens the demo with the e2e token and fails the test on any console error.
export async function openDemo(page) {
  const errors = [];
  // The closed network here cannot resolve the example.com images of the docs.
  page.on('console', (m) => m.type() === 'error' && !/ERR_NAME_NOT_RESOLVED/.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base()}/demo/?token=${token()}`);
  await page.waitForFunction(() => window.__demoReady === true);
  return errors;
}

export async function send(page, { format = 'openai-chat', doc = 'intro', interval = 0, drop = false } = {}) {
  await page.selectOption('#format', format);
  await page.evaluate((d) => {
    const s = document.getElementById('doc');
    if (![...s.options].some((o) => o.value === d)) s.add(new Option(d, d));
    s.value = d;
  }, doc);
  await page.evaluate((v) => {
    const input = document.getElementById('interval');
    input.value = String(v);
    input.dispatchEvent(new Event('input'));
  }, interval);
  await page.setChecked('#drop', drop);
  await page.click('#send');
}

export async function waitDone(page) {
  await page.waitForFunction(() => window.__demo && window.__demo.state !== 'streaming', null, { timeout: 60_000 });
  return page.evaluate(() => window.__demo);
}

// innerHTML of the answer and of renderMarkdown(text), both parsed by the browser.
export async function compareWithOneShot(page, text) {
  return page.evaluate(async (t) => {
    const m = await import('/src/index.js');
    const div = document.createElement('div');
    div.innerHTML = m.renderMarkdown(t);
    return { dom: document.getElementById('answer').innerHTML, oneShot: div.innerHTML };
  }, text);
}

export { expect };
