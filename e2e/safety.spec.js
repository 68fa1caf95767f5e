import { readFileSync } from 'node:fs';
import { test } from '@playwright/test';
import { expect, openDemo } from './helpers.js';

const corpus = JSON.parse(readFileSync(new URL('../tests/fixtures/hostile.json', import.meta.url), 'utf8'));

test('the hostile corpus streamed through the page runs no script and leaves no active content', async ({ page }) => {
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  await openDemo(page);
  const r = await page.evaluate(async (inputs) => {
    window.__canary = 0;
    const m = await import('/src/index.js');
    const target = document.getElementById('answer');
    const bad = [];
    for (const input of inputs) {
      const renderer = new m.MarkdownRenderer(target);
      for (let i = 0; i < input.length; i += 2) {
        renderer.append(input.slice(i, i + 2));
        renderer.flush();
      }
      renderer.finish();
      renderer.free();
      for (const el of target.querySelectorAll('*')) {
        for (const a of el.attributes) {
          if (/^on/i.test(a.name)) bad.push(`${a.name} from ${input}`);
          if ((a.name === 'href' || a.name === 'src') && /^\s*(javascript|vbscript|data:text)/i.test(a.value)) bad.push(`${a.value} from ${input}`);
        }
        if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'STYLE', 'SVG', 'FORM', 'META', 'BASE'].includes(el.tagName)) bad.push(`${el.tagName} from ${input}`);
      }
    }
    // Let two frames pass so any injected handler (img onerror…) could have fired.
    await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    return { bad, canary: window.__canary };
  }, corpus);
  expect(corpus.length).toBeGreaterThanOrEqual(50);
  expect(r.bad).toEqual([]);
  expect(r.canary).toBe(0);
  expect(dialogs).toEqual([]);
});
