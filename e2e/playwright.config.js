// Playwright in Debian's Chromium (no browser download), against rillmark-server.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.js',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  workers: 1,  // 2 cores: the server, the browser and the test runner share them
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  globalSetup: './global-setup.js',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync'],
    },
    viewport: { width: 1000, height: 900 },
  },
});
