import { readFileSync } from 'node:fs';
import { test } from '@playwright/test';
import { compareWithOneShot, expect, openDemo, send, stats, waitDone } from './helpers.js';

const doc = (name) => readFileSync(new URL(`../tests/fixtures/docs/${name}.md`, import.meta.url), 'utf8');
const PROMPT = 'Explain streaming Markdown';

for (const format of ['text', 'openai-chat', 'openai-responses', 'anthropic', 'adk']) {
  test(`streams the ${format} preset to the one-shot render of the full text`, async ({ page }) => {
    const errors = await openDemo(page);
    await send(page, { format, doc: 'mixed', interval: 1 });
    const demo = await waitDone(page);
    expect(demo.state).toBe('done');
    expect(demo.result.text).toBe(`> ${PROMPT}\n\n${doc('mixed')}`);
    const { dom, oneShot } = await compareWithOneShot(page, demo.result.text);
    expect(dom).toBe(oneShot);
    expect(errors).toEqual([]);
  });
}

test('a wrong token shows HTTP_STATUS 401 and streams nothing', async ({ page }) => {
  await openDemo(page);
  await page.fill('#token', 'wrong');
  await page.click('#send');
  const demo = await waitDone(page);
  expect(demo.error).toEqual({ code: 'HTTP_STATUS', status: 401 });
  await expect(page.getByTestId('status')).toContainText('HTTP_STATUS 401');
  expect(await page.locator('#answer').innerHTML()).toBe('');
});

test('resumes after dropped connections with Last-Event-ID: same text as an unbroken stream', async ({ page, request }) => {
  await openDemo(page);
  const before = await stats(request);
  await send(page, { format: 'anthropic', doc: 'code', interval: 0, drop: true });
  const demo = await waitDone(page);
  expect(demo.state).toBe('done');
  expect(demo.result.reconnects).toBeGreaterThanOrEqual(2);
  expect(demo.result.text).toBe(`> ${PROMPT}\n\n${doc('code')}`);
  const { dom, oneShot } = await compareWithOneShot(page, demo.result.text);
  expect(dom).toBe(oneShot);
  const after = await stats(request);
  // Every resumed request the server saw carried Last-Event-ID (a reconnect
  // whose request never reached the server, e.g. a refused connect, is not one).
  expect(after.resumed - before.resumed).toBeGreaterThanOrEqual(2);
  expect(after.resumed - before.resumed).toBeLessThanOrEqual(demo.result.reconnects);
  expect(Number(after.last_resume_id)).toBeGreaterThan(0);
});

test('the stop button ends the stream and the server frees it', async ({ page, request }, testInfo) => {
  await openDemo(page);
  await send(page, { format: 'openai-chat', doc: 'lists', interval: 60 });
  await page.waitForFunction(() => document.getElementById('answer').textContent.length > 40);
  await page.screenshot({ path: testInfo.outputPath('demo-mid-stream.png') });
  expect((await stats(request)).live).toBe(1);
  await page.click('#stop');
  const demo = await waitDone(page);
  expect(demo.state).toBe('stopped');
  const text = await page.locator('#answer').textContent();
  // Within a frame nothing more arrives; the server's live count returns to 0.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  expect(await page.locator('#answer').textContent()).toBe(text);
  await expect.poll(async () => (await stats(request)).live, { timeout: 5000 }).toBe(0);
});

test('finished answer looks right (screenshot artifact)', async ({ page }, testInfo) => {
  await openDemo(page);
  await send(page, { format: 'openai-chat', doc: 'table', interval: 0 });
  expect((await waitDone(page)).state).toBe('done');
  await page.screenshot({ path: testInfo.outputPath('demo-finished.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: testInfo.outputPath('demo-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(overflow).toBe(false);
});
