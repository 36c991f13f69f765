// End-to-end test of the CertLsp extension in a real VS Code (code-server), driven through the page by Playwright
// with Debian's Chromium, and checked from inside the extension host by the probe extension (probe/extension.js).
// Started by tests/e2e/run.sh, which installs everything, starts code-server and passes:
//   CERTLSP_E2E_URL        the code-server page with ?folder=<workspace>
//   CERTLSP_E2E_WORKSPACE  the workspace folder (a copy of examples/)
//   CERTLSP_E2E_PROBE      the JSON file the probe writes
//   CERTLSP_E2E_ARTIFACTS  where screenshots go
// Steps run in order (node's test runner runs a file's top-level tests one after another).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import {
  deviceNames, env, expectedProblems, launchBrowser, manifestName, normalize, waitForProbe, workbench, zipsUnder,
} from './workbench.mjs';

const url = env('CERTLSP_E2E_URL');
const workspace = env('CERTLSP_E2E_WORKSPACE');
const probeFile = env('CERTLSP_E2E_PROBE');
const artifacts = env('CERTLSP_E2E_ARTIFACTS');

// The server contracts being added in parallel (certlsp/siteStatus, certlsp.generateCsrs). While false, the steps
// that need them check what the client does without them (it must say so); set true once the server has them,
// and those steps then require the real thing.
const serverContractsLanded = true;

let browser;
let page;
let probe;
let screenshot, palette, quickOpen, goTo, editorText, notification, editorContextMenu;

const serverOffers = (command) => (probe?.steps?.activate?.serverCommands ?? []).includes(command);
const hasSiteStatus = () => {
  if (serverContractsLanded) assert.equal(probe.steps.siteStatus.ok, true, probe.steps.siteStatus.error);
  return probe.steps.siteStatus.ok;
};
const offersGenerate = () => {
  if (serverContractsLanded) assert.ok(serverOffers('certlsp.generateCsrs'), 'the server does not offer certlsp.generateCsrs');
  return serverOffers('certlsp.generateCsrs');
};

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  ({ browser, page } = await launchBrowser());
  ({ screenshot, palette, quickOpen, goTo, editorText, notification, editorContextMenu } = workbench(page, artifacts));
});

after(async () => {
  await browser?.close();
});

test('the workbench opens the workspace', async () => {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'harbor-tower' }).first().waitFor({ timeout: 60000 });
  await screenshot('workbench');
});

test('in the extension host: the probe ran without errors', async () => {
  probe = await waitForProbe(probeFile, 150000);
  fs.copyFileSync(probeFile, path.join(artifacts, 'probe.json'));
  assert.deepEqual(probe.errors, []);
  assert.equal(probe.steps.activate.active, true);
  assert.ok(probe.steps.activate.serverPid > 0);
  // The per-platform package (linux-x64) with `dotnet` hidden from the extension host: the server is the package's own
  // self-contained executable, not dotnet running a dll.
  assert.equal(probe.steps.activate.dotnetReachable, false,
      `dotnet is reachable from the extension host (${JSON.stringify(probe.steps.activate)})`);
  assert.equal(probe.steps.activate.dotnetError, 'ENOENT');
  assert.match(probe.steps.activate.serverExe, /\/extensions\/certlsp\.certlsp-[^/]*\/dist\/server\/certlsp$/,
      probe.steps.activate.serverExe);
  assert.equal(probe.steps.open.languageId, 'yaml', 'manifests stay in the YAML language');
});

test('in the extension host: diagnostics with codes, messages and lines', () => {
  const got = probe.steps.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line + 1, message: d.message }));
  assert.equal(got.length, expectedProblems.length, JSON.stringify(got, null, 1));
  for (const e of expectedProblems) {
    assert.ok(got.some((d) => d.code === e.code && d.line === e.line && d.message.includes(e.text)),
        `${e.code} at line ${e.line}: ${e.text}`);
  }
  const ahu = probe.steps.diagnostics.find((d) => d.code === 'CL0201' && d.range.start.line === 16);
  assert.deepEqual(ahu.range, { start: { line: 16, character: 10 }, end: { line: 16, character: 15 } },
      'the range is exactly the device name');
});

test('in the extension host: hover, completion, quick fix, symbols', () => {
  assert.match(probe.steps.hover.text, /AHU-1\.bms\.harbor-tower\.example/);
  assert.ok(probe.steps.completion.labels.includes('rsa') && probe.steps.completion.labels.includes('ecdsa'),
      probe.steps.completion.labels.join());
  const gb = probe.steps.codeActions.find((a) => a.title.includes('GB'));
  assert.ok(gb, JSON.stringify(probe.steps.codeActions));
  assert.equal(gb.kind, 'quickfix');
  assert.deepEqual(gb.edits, [{ range: { start: { line: 6, character: 11 }, end: { line: 6, character: 13 } }, newText: 'GB' }]);
  assert.equal(probe.steps.symbols[0].name, 'Harbor Tower');
});

test('in the extension host: the commands are registered', () => {
  for (const c of ['certlsp.generate', 'certlsp.generateForSelection', 'certlsp.import', 'certlsp.status', 'certlsp.discover',
      'certlsp.install', 'certlsp.restartServer', 'certlsp.showOutput', 'certlsp.revealDevice', 'certlsp.importCertificatesPrompt']) {
    assert.ok(probe.steps.commands.includes(c), c);
  }
});

test('in the extension host: the certificates view lists the devices (or says why not)', () => {
  const view = probe.steps.certificatesView;
  assert.match(view.manifest, /harbor-tower\.site\.yaml$/);
  if (hasSiteStatus()) {
    const status = probe.steps.siteStatus.status;
    assert.equal(status.site, 'Harbor Tower');
    assert.deepEqual(status.devices.map((d) => d.name).sort(), [...deviceNames].sort());
    assert.equal(status.counts.devices, 5);
    const listed = view.groups.flatMap((g) => g.devices.map((d) => d.label));
    assert.deepEqual([...listed].sort(), [...deviceNames].sort());
    assert.ok(view.groups.every((g) => /\(\d+\)$/.test(g.label)), JSON.stringify(view.groups));
  } else {
    // The server in this branch has no certlsp/siteStatus yet: the view must say so instead of staying blank.
    assert.match(view.message, /No certificate status from the server/);
    assert.deepEqual(view.groups, []);
  }
});

test('in the extension host: a killed server is restarted and answers again', () => {
  const crash = probe.steps.crashRestart;
  assert.notEqual(crash.after, crash.before);
  assert.ok(crash.restarts >= 1);
  assert.equal(crash.hoverAfterRestart, true);
});

test('the page: the crash restart was announced', async () => {
  await notification('The CertLsp server stopped unexpectedly', 15000);
  await palette('Notifications: Show Notifications');
  await screenshot('crash-restart-notification');
  await palette('Notifications: Clear All Notifications');
});

test('the page: open the manifest', async () => {
  await quickOpen(manifestName);
  await page.locator('.tab.active', { hasText: manifestName }).waitFor();
  await page.locator('.editor-instance .view-lines', { hasText: 'Harbor Tower' }).waitFor();
  await screenshot('manifest-open');
});

test('the page: Problems panel rows (code, message, line)', async () => {
  await palette('Problems: Focus on Problems View', { exact: false }).catch(async () => palette('View: Focus Problems', { exact: false }));
  await palette('View: Toggle Maximized Panel', { exact: false });
  try {
    const rows = page.locator('.markers-panel .monaco-list-row');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.markers-panel .monaco-list-row').length >= n,
      expectedProblems.length + 1, // + the file row
      { timeout: 30000 },
    );
    const texts = (await rows.allInnerTexts()).map(normalize);
    fs.writeFileSync(path.join(artifacts, 'problems.txt'), texts.join('\n---\n'));
    await screenshot('problems');
    for (const e of expectedProblems) {
      const match = texts.find((t) => t.includes(e.code) && t.includes(e.text) && t.includes(`Ln ${e.line},`));
      assert.ok(match, `Problems panel row for ${e.code} at line ${e.line} (${e.text}):\n${texts.join('\n')}`);
    }
  } finally {
    await palette('View: Toggle Maximized Panel', { exact: false });
  }
});

test('the page: hover on a device name shows its full CN', async () => {
  await goTo(17, 12);
  await palette('Show or Focus Hover', { exact: false });
  const hover = page.locator('.monaco-hover-content').first();
  await hover.waitFor({ state: 'visible' });
  await page.locator('.monaco-hover-content', { hasText: 'AHU-1.bms.harbor-tower.example' }).first().waitFor();
  await screenshot('hover');
  await page.keyboard.press('Escape');
});

test('the page: completion lists the key algorithms', async () => {
  await goTo(14, 14);
  await palette('Trigger Suggest', { exact: false });
  const widget = page.locator('.suggest-widget');
  await widget.waitFor({ state: 'visible' });
  await widget.locator('.monaco-list-row', { hasText: 'rsa' }).first().waitFor();
  const labels = (await widget.locator('.monaco-list-row .label-name').allInnerTexts()).map(normalize);
  await screenshot('completion');
  await page.keyboard.press('Escape');
  assert.ok(labels.includes('rsa') && labels.includes('ecdsa'), labels.join());
});

test('the page: the quick fix replaces UK with GB', async () => {
  assert.match(await editorText(), /country: UK/);
  await goTo(7, 12);
  await palette('Quick Fix...', { exact: false });
  const item = page.locator('.action-widget .monaco-list-row', { hasText: 'GB' }).first();
  await item.waitFor({ state: 'visible' });
  await screenshot('quick-fix-menu');
  await item.click();
  await page.waitForFunction(() => document.querySelector('.editor-instance .view-lines')?.textContent?.replace(/\u00a0/g, ' ').includes(
      'country: GB'));
  const text = await editorText();
  assert.match(text, /country: GB/);
  assert.doesNotMatch(text, /country: UK/);
  // The panel shows only the rows in its viewport (the list is virtual): wait for it to hold rows again, none of them about “UK”.
  // (A wait for another CL0103 row failed when that row was scrolled out of the panel.)
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('.markers-panel .monaco-list-row')];
    return rows.length > 0 && !rows.some((r) => r.textContent.includes('“UK”'));
  }, undefined, { timeout: 30000 });
  await screenshot('quick-fix-applied');
});

test('the page: the editor context menu offers the CertLsp commands', async () => {
  const items = await editorContextMenu(manifestName);
  for (const title of ['Generate CSRs…', 'Import Signed Certificates…', 'Show Certificate Status']) {
    assert.ok(items.includes(title), `${title} in ${items.join(' | ')}`);
  }
  // The server offers the BACnet commands, so the menu has their entries (they are shown only when it does).
  for (const [title, command] of [['Discover Devices', 'certlsp.discoverDevices'],
      ['Install Certificates on Devices', 'certlsp.installCertificates']]) {
    assert.ok(serverOffers(command), `the server offers ${command}`);
    assert.ok(items.includes(title), `${title} in ${items.join(' | ')}`);
  }
});

test('the page: Discover Devices and Install Certificates on Devices are in the palette (the server offers them)', async () => {
  for (const title of ['CertLsp: Discover Devices', 'CertLsp: Install Certificates on Devices']) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Escape');
  }
});

test('the page: the Site certificates view and the status bar', async () => {
  await palette('CertLsp: Show Certificate Status');
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Site certificates/i }) });
  await pane.waitFor({ state: 'visible' });
  if (hasSiteStatus()) {
    for (const name of deviceNames) await pane.locator('.monaco-list-row', { hasText: name }).first().waitFor();
    const bar = page.locator('.statusbar-item', { hasText: /5 devices/ });
    await bar.waitFor();
    await screenshot('certificates-view');
    await pane.locator('.monaco-list-row', { hasText: 'VAV-7' }).first().click();
    await page.locator('.statusbar-item', { hasText: /Ln 26,/ }).waitFor();
    await screenshot('reveal-device');
  } else {
    await pane.getByText('No certificate status from the server').first().waitFor();
    await page.locator('.statusbar-item', { hasText: /CertLsp/ }).first().waitFor();
    await screenshot('certificates-view');
  }
});

test('the page: Generate CSRs writes the zips (when the server offers it)', async () => {
  if (!offersGenerate()) {
    // Until the server offers certlsp.generateCsrs, the command must say so instead of failing silently.
    await palette('CertLsp: Generate CSRs…');
    await notification('does not offer CSR generation (certlsp.generateCsrs)');
    await screenshot('generate-csrs-unsupported');
    return;
  }
  await quickOpen('riverside.site.yaml');
  await page.locator('.tab.active', { hasText: 'riverside.site.yaml' }).waitFor();
  await palette('CertLsp: Generate CSRs…');
  // riverside has a named batch, so the client asks for the scope.
  const scope = page.locator('.quick-input-list .monaco-list-row', { hasText: 'All devices' }).first();
  await scope.click();
  const message = await notification(/CSRs: [1-9]\d* requested, 0 no action taken, 0 failed/, 120000);
  await screenshot('generate-csrs');
  const zips = zipsUnder(workspace);
  assert.ok(zips.length > 0, `no zip under ${workspace}; notification: ${message}`);
  for (const zip of zips) assert.ok(fs.statSync(zip).size > 0, zip);
  fs.writeFileSync(path.join(artifacts, 'zips.txt'), zips.map((z) => path.relative(workspace, z)).join('\n'));
  await palette('Notifications: Clear All Notifications');

  // Again: now every CSR is pending, so the client must ask keep-or-overwrite; keeping them takes no action.
  await palette('CertLsp: Generate CSRs…');
  await scope.click();
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'A new CSR voids the pending one' });
  await dialog.waitFor({ timeout: 60000 });
  await screenshot('generate-csrs-pending-prompt');
  await dialog.getByRole('button', { name: 'Keep pending (skip them)' }).click();
  await notification(/CSRs: 0 requested, [1-9]\d* no action taken, 0 failed/);
  await screenshot('generate-csrs-kept-pending');
  const after = zipsUnder(workspace);
  assert.deepEqual(after, zips, 'keeping pending CSRs must write no new zip');
});

test('the page: Install Certificates on Devices without certlsp.bacnet.bind says what to set and sends nothing', async () => {
  // examples/lakeside-plant: the devices hold their keys (key.source: device); the e2e settings name no bind address.
  await quickOpen('lakeside.site.yaml');
  await page.locator('.tab.active', { hasText: 'lakeside.site.yaml' }).waitFor();
  await palette('CertLsp: Install Certificates on Devices');
  await notification(/needs the local IPv4 address to talk to the devices from: set certlsp\.bacnet\.bind/);
  await screenshot('install-needs-bind');
  await palette('Notifications: Clear All Notifications');
});

test('the page: Restart Server restarts it and diagnostics come back', async () => {
  await quickOpen(manifestName);
  await palette('CertLsp: Restart Server');
  await notification('the server restarted');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'CL0201' }).first().waitFor({ timeout: 60000 });
  await screenshot('restarted');
});

test('the page: Review Changes Against… opens the markdown review; the rename lens shows on the renamed device', async () => {
  // run.sh's repository (two commits); the probe opens its manifest, renames AHU-1 in the editor and waits for the lens.
  fs.writeFileSync(`${probeFile}.review-go`, '');
  const done = (name) => (r) => r.steps?.[name] !== undefined || r.errors.some((e) => e.startsWith(`${name}:`));
  probe = await waitForProbe(probeFile, 150000, done('reviewLens'));
  assert.deepEqual(probe.errors, []);
  const lens = probe.steps.reviewLens;
  assert.equal(lens.title, 'renamed from AHU-1: nothing issued yet; its first CSR will carry CN AHU-1-North.bms.review.example');
  assert.equal(lens.command, 'certlsp.review');
  assert.equal(lens.lineText.trim(), '- name: AHU-1-North');
  await page.locator('.tab.active', { hasText: 'plant.site.yaml' }).waitFor();
  await page.locator('.codelens-decoration', { hasText: 'renamed from AHU-1' }).first().waitFor({ state: 'visible', timeout: 60000 });
  await screenshot('review-rename-lens');

  await palette('CertLsp: Review Changes Against…');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  // The palette's own input stays until the command's input box replaces it: wait for that box (bounded), then judge it.
  for (const until = Date.now() + 30000; (await input.inputValue()).startsWith('>') && Date.now() < until;) {
    await page.waitForTimeout(100);
  }
  assert.equal(await input.inputValue(), 'HEAD', 'HEAD is suggested');
  await input.fill('HEAD~1');
  await page.keyboard.press('Enter');
  probe = await waitForProbe(probeFile, 150000, done('review'));
  assert.deepEqual(probe.errors, []);
  const markdown = probe.steps.review.text;
  assert.match(probe.steps.review.uri, /^certlsp-review:.*plant\.site\.yaml\.review\.md/);
  assert.match(markdown, /^### CertLsp review HEAD~1 → working tree\n/);
  assert.match(markdown, /AHU-1-North/);
  assert.ok(markdown.includes('FCU-3'), markdown);
  // The preview beside the manifest.
  await page.locator('.tab', { hasText: 'plant.site.yaml.review.md' }).first().waitFor({ state: 'visible', timeout: 60000 });
  await screenshot('review-markdown');
});
