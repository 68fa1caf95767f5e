// The package as users get it: npm pack → install into a fresh Vite app →
// production build → served → run in Chromium against rillmark-server.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { test } from '@playwright/test';
import { base, expect, token } from './helpers.js';

const web = fileURLToPath(new URL('../web', import.meta.url));
let server;
let appUrl;
let assets;
let assetDir;

test.beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rillmark-vite-'));
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: web, encoding: 'utf8' }).trim().split('\n').pop();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, tgz)], { cwd: dir });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><div id="out"></div><script type="module" src="/main.js"></script>');
  writeFileSync(join(dir, 'main.js'), `
import { init, renderMarkdown, streamMarkdown } from 'rillmark';
window.addEventListener('unhandledrejection', (e) => (window.__result = { error: String(e.reason?.stack ?? e.reason) }));
const q = new URLSearchParams(location.search);
await init();
const target = document.getElementById('out');
const s = streamMarkdown(target, q.get('server') + '/v1/stream?format=anthropic&doc=table&interval_ms=0', {
  format: 'anthropic',
  headers: { Authorization: 'Bearer ' + q.get('token') },
});
const result = await s.done;
const div = document.createElement('div');
div.innerHTML = renderMarkdown(result.text);
window.__result = { same: div.innerHTML === target.innerHTML, length: result.text.length };
`);
  const { build, preview } = await import('vite');
  await build({ root: dir, configFile: false, logLevel: 'warn' });
  assetDir = join(dir, 'dist', 'assets');
  assets = readdirSync(assetDir);
  server = await preview({ root: dir, configFile: false, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
  appUrl = server.resolvedUrls.local[0];
});

test.afterAll(async () => {
  await server?.close();
});

test('a Vite production build of the packed package streams Markdown in Chromium', async ({ page }) => {
  expect(assets.some((a) => a.endsWith('.wasm'))).toBe(true);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${appUrl}?server=${encodeURIComponent(base())}&token=${token()}`);
  await page.waitForFunction(() => window.__result);
  const r = await page.evaluate(() => window.__result);
  expect(r.error).toBeUndefined();
  expect(r.same).toBe(true);
  expect(r.length).toBeGreaterThan(100);
  expect(errors).toEqual([]);
});

// The size budget of the package (issue #6), measured on what the app ships:
// Vite's production output (bundled, minified), gzipped at level 9. The app's
// own code is a few hundred bytes of it.
test('the production build ships JS + Wasm within 80 KB gzipped', () => {
  const gz = (f) => gzipSync(readFileSync(join(assetDir, f)), { level: 9 }).length;
  const js = assets.filter((a) => a.endsWith('.js')).reduce((n, a) => n + gz(a), 0);
  const wasm = assets.filter((a) => a.endsWith('.wasm')).reduce((n, a) => n + gz(a), 0);
  console.log(`production build, gzipped: JS ${(js / 1024).toFixed(1)} KB + Wasm ${(wasm / 1024).toFixed(1)} KB`);
  expect(wasm).toBeGreaterThan(0);
  expect(js + wasm).toBeLessThanOrEqual(80 * 1024);
});
