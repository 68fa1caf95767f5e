// CommonMark + GFM conformance through the package in Chromium: every example
// of md4c's test files is streamed into a live DOM through MarkdownRenderer
// (1-byte chunks, a flush after each, and one random split), the DOM after
// every flush equals a fresh render of the text so far (invariant 1; not for
// examples where a link reference definition comes after a use: the frozen
// use changes only at finish()), and the final innerHTML equals
// renderMarkdown() of the whole example, both parsed by the browser. (The HTML itself is checked against md4c and the spec by
// tests/spec_conformance.py.)
import { readFileSync } from 'node:fs';
import { test } from '@playwright/test';
import { expect, openDemo } from './helpers.js';

const dir = new URL('../.deps/md4c-0.4.8/test/', import.meta.url);
const files = ['spec.txt', 'tables.txt', 'strikethrough.txt', 'tasklists.txt', 'permissive-url-autolinks.txt',
               'permissive-email-autolinks.txt', 'permissive-www-autolinks.txt'];
const FENCE = '`'.repeat(32);

function examples(name) {
  const out = [];
  let md = null;
  let inMarkdown = false;
  for (const line of readFileSync(new URL(name, dir), 'utf8').split('\n')) {
    if (line.startsWith(`${FENCE} example`)) {
      md = [];
      inMarkdown = true;
    } else if (md && inMarkdown && line === '.') {
      inMarkdown = false;
    } else if (md && line === FENCE) {
      out.push(md.length ? `${md.join('\n')}\n`.replaceAll('→', '\t') : '');
      md = null;
    } else if (md && inMarkdown) {
      md.push(line);
    }
  }
  return out;
}

// True when a line that looks like a link reference definition follows a
// line with a "[" that is not one (a use before its definition).
function definitionAfterUse(md) {
  const def = /^ {0,3}\[[^\]]*\]:/;
  let use = false;
  for (const line of md.split('\n')) {
    if (def.test(line) && use) return true;
    if (!def.test(line) && line.includes('[')) use = true;
  }
  return false;
}

for (const name of files) {
  test(`${name}: streamed in Chromium, every flush keeps the invariant, final DOM == renderMarkdown()`, async ({ page }) => {
    const inputs = examples(name);
    expect(inputs.length).toBeGreaterThan(3);
    const errors = await openDemo(page);
    const checkEveryFlush = inputs.map((md) => !definitionAfterUse(md));
    const failures = await page.evaluate(async ([list, checks]) => {
      const m = await import('/src/index.js');
      const target = document.getElementById('answer');
      const scratch = document.createElement('div');
      const oneShot = (md, options) => {
        scratch.innerHTML = m.renderMarkdown(md, options);
        return scratch.innerHTML;
      };
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      const bad = [];
      list.forEach((md, n) => {
        for (const mode of ['1-byte', 'random split']) {
          const cut = Math.floor(random() * (md.length + 1));
          const pieces = mode === '1-byte' ? [...md.split('')] : [md.slice(0, cut), md.slice(cut)];
          const r = new m.MarkdownRenderer(target);
          let source = '';
          let reported = false;
          for (const piece of pieces) {
            r.append(piece);
            r.flush();
            source += piece;
            if (mode === '1-byte' && checks[n] && !reported && target.innerHTML !== oneShot(source, { completeIncomplete: true })) {
              bad.push(`example ${n + 1} (${mode}): after ${JSON.stringify(source)} the DOM is ${target.innerHTML}`);
              reported = true;
            }
          }
          r.finish();
          r.free();
          if (target.innerHTML !== oneShot(md)) bad.push(`example ${n + 1} (${mode}): final DOM ${target.innerHTML} != ${oneShot(md)}`);
        }
      });
      return bad;
    }, [inputs, checkEveryFlush]);
    if (failures.length) console.log(JSON.stringify(failures, null, 1));
    expect(failures.slice(0, 5)).toEqual([]);
    expect(errors).toEqual([]);
  });
}
