// What the end-to-end tests share: the example's expected findings, the environment run.sh passes, the browser, and the
// workbench gestures (palette, quick open, notifications, screenshots) on a code-server page.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests/e2e/run.sh`);
  return value;
};

export const manifestName = 'harbor-tower.site.yaml';

// What `certlsp check examples/harbor-tower` reports (1-based lines), the contract of the example.
export const expectedProblems = [
  { code: 'CL0103', line: 7, text: '“UK” is not an ISO 3166-1 alpha-2 country code' },
  { code: 'CL0102', line: 10, text: 'has 67 characters' },
  { code: 'CL0104', line: 12, text: 'facilities@harbor-tower' },
  { code: 'CL0501', line: 14, text: 'does not accept ECDSA P-256 keys' },
  { code: 'CL0302', line: 16, text: '5 devices will be requested in 1 zip' },
  { code: 'CL0201', line: 17, text: 'AHU-1.bms.harbor-tower.example' },
  { code: 'CL0201', line: 20, text: 'ahu-1.bms.harbor-tower.example' },
  { code: 'CL0203', line: 23, text: 'has 91 characters' },
  { code: 'CL0601', line: 24, text: 'is already used by another device' },
  { code: 'CL0602', line: 27, text: 'outside 0..4194302' },
  { code: 'CL0603', line: 28, text: '127.0.0.300' },
  { code: 'CL0103', line: 30, text: '“us” must be in capitals' },
  { code: 'CL0002', line: 33, text: 'Unknown key “adress”' },
];
export const deviceNames = ['AHU-1', 'ahu-1', 'Chiller-Plant-Primary-Controller-With-A-Very-Long-Descriptive-Name', 'VAV-7', 'Boiler-1'];

export const normalize = (s) => s.replace(/\u00a0/g, ' ');

export function zipsUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.zip'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The probe's JSON once it exists and `ready` accepts it (the probe writes it whole, by rename). */
export async function waitForProbe(probeFile, timeoutMs, ready = () => true) {
  const start = Date.now();
  for (;;) {
    const report = fs.existsSync(probeFile) ? JSON.parse(fs.readFileSync(probeFile, 'utf8')) : undefined;
    if (report && ready(report)) return report;
    if (Date.now() - start > timeoutMs) throw new Error(`the probe wrote nothing (ready) to ${probeFile} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(30000);
  return { browser, page };
}

/** Gestures on the workbench in `page`; screenshots go to `artifacts` as <prefix>NN-<name>.png. */
export function workbench(page, artifacts, prefix = '') {
  let shot = 0;
  async function screenshot(name) {
    shot += 1;
    await page.screenshot({ path: path.join(artifacts, `${prefix}${String(shot).padStart(2, '0')}-${name}.png`) });
  }

  async function palette(title, { exact = true } = {}) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 15000 });
    if (exact) {
      const label = normalize(await row.locator('.label-name').first().innerText());
      assert.ok(label.includes(title), `palette row "${label}" for "${title}"`);
    }
    await row.click();
  }

  async function quickOpen(text) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    if (text.startsWith(':')) {
      await page.waitForTimeout(300);
    } else {
      // File search answers asynchronously (slowly on a loaded machine): Enter before the row is there opens nothing.
      await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 60000 });
    }
    await page.keyboard.press('Enter');
  }

  async function goTo(line, column) {
    await quickOpen(`:${line}:${column}`);
    await page.waitForTimeout(300);
  }

  async function editorText() {
    return normalize(await page.locator('.editor-instance .view-lines').first().innerText());
  }

  /**
   * A notification whose text matches: a visible toast, or else one in the notification center (VS Code shows at most
   * a few toasts and hides older ones there). Returns its text.
   */
  async function notification(pattern, timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const toast = page.locator('.notification-list-item:visible', { hasText: pattern }).first();
      if (await toast.count()) return normalize(await toast.innerText());
      await palette('Notifications: Show Notifications');
      const kept = page.locator('.notifications-center .notification-list-item', { hasText: pattern }).first();
      const found = (await kept.count()) ? normalize(await kept.innerText()) : undefined;
      await page.keyboard.press('Escape');
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no notification matching ${pattern} within ${timeoutMs} ms`);
      await page.waitForTimeout(1000);
    }
  }

  /** The labels of the editor context menu over the file `name` (opened first); a screenshot of it. */
  async function editorContextMenu(name) {
    await quickOpen(name);
    await page.locator('.tab.active', { hasText: name }).waitFor();
    await page.locator('.editor-instance .view-lines').first().click({ button: 'right', position: { x: 200, y: 100 } });
    const menu = page.locator('.monaco-menu').last();
    await menu.waitFor({ state: 'visible' });
    const items = (await menu.locator('.action-label').allInnerTexts()).map(normalize);
    await screenshot('editor-context-menu');
    await page.keyboard.press('Escape');
    return items;
  }

  return { screenshot, palette, quickOpen, goTo, editorText, notification, editorContextMenu };
}
