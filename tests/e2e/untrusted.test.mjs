// End-to-end test of the extension in Restricted Mode (workspace trust on, the folder not trusted): a second code-server
// started by tests/e2e/run.sh on a copy of examples/ whose .vscode/settings.json sets certlsp.server.path to a script that
// appends to a marker file before starting the real server. The probe (probe/extension.js, CERTLSP_E2E_MODE=untrusted)
// reports from inside the extension host, first untrusted, then again once this test has trusted the folder through the
// workbench (Manage Workspace Trust > Trust Folder). Environment (besides drive.test.mjs's): CERTLSP_E2E_MARKER, the file
// the folder's server script appends to.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { deviceNames, env, expectedProblems, launchBrowser, manifestName, normalize, waitForProbe, workbench,
    zipsUnder } from './workbench.mjs';

const url = env('CERTLSP_E2E_URL');
const workspace = env('CERTLSP_E2E_WORKSPACE');
const probeFile = env('CERTLSP_E2E_PROBE');
const artifacts = env('CERTLSP_E2E_ARTIFACTS');
const marker = env('CERTLSP_E2E_MARKER');

const writing = ['Generate CSRs', 'Import Signed Certificates', 'Discover Devices', 'Install Certificates on Devices'];
const refusal = (title) => new RegExp(`${title} is not available in Restricted Mode`);

let browser;
let page;
let probe;
let screenshot, palette, quickOpen, goTo, notification, editorContextMenu;

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  ({ browser, page } = await launchBrowser());
  ({ screenshot, palette, quickOpen, goTo, notification, editorContextMenu } = workbench(page, artifacts, 'untrusted-'));
});

after(async () => {
  await browser?.close();
});

/** The labels of the palette's rows for `text`. */
async function paletteLabels(text) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill(`>${text}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 15000 });
  await page.waitForTimeout(500);
  const labels = (await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts()).map(normalize);
  await page.keyboard.press('Escape');
  return labels;
}

const markerAbsent = (when) => assert.ok(!fs.existsSync(marker),
    `the folder's server script ran ${when}: ${fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : ''}`);

test('Restricted Mode: the workbench opens the folder untrusted', async () => {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90000 });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'harbor-tower' }).first().waitFor({ timeout: 60000 });
  await page.getByText('Restricted Mode').first().waitFor({ timeout: 30000 });
  await screenshot('restricted-mode');
});

test('Restricted Mode, in the extension host: the extension runs; diagnostics, hover, completion, quick fixes, symbols, the view',
    async () => {
  probe = await waitForProbe(probeFile, 150000, (r) => r.phase !== undefined);
  fs.copyFileSync(probeFile, path.join(artifacts, 'probe-untrusted.json'));
  assert.deepEqual(probe.errors, []);
  const { activate } = probe.steps;
  assert.equal(activate.trusted, false, 'the folder must be untrusted');
  assert.equal(activate.active, true);
  assert.ok(activate.serverPid > 0);
  const got = probe.steps.diagnostics.map((d) => ({ code: d.code, line: d.range.start.line + 1, message: d.message }));
  assert.equal(got.length, expectedProblems.length, JSON.stringify(got, null, 1));
  for (const e of expectedProblems) {
    assert.ok(got.some((d) => d.code === e.code && d.line === e.line && d.message.includes(e.text)),
        `${e.code} at line ${e.line}: ${e.text}`);
  }
  assert.match(probe.steps.hover.text, /AHU-1\.bms\.harbor-tower\.example/);
  assert.ok(probe.steps.completion.labels.includes('rsa'), probe.steps.completion.labels.join());
  const gb = probe.steps.quickFixes.find((a) => a.title.includes('GB'));
  assert.ok(gb && gb.edits.length === 1, JSON.stringify(probe.steps.quickFixes));
  assert.equal(probe.steps.symbols[0].name, 'Harbor Tower');
  const listed = probe.steps.certificatesView.groups.flatMap((g) => g.devices.map((d) => d.label));
  assert.deepEqual([...listed].sort(), [...deviceNames].sort());
});

test('Restricted Mode, in the extension host: no source action that writes; every write/run/send command refused; nothing written', () => {
  assert.deepEqual(probe.steps.sourceActions, [], 'Generate CSRs / Import source actions must not be offered');
  const refused = probe.steps.refused;
  assert.deepEqual(Object.keys(refused).sort(), ['certlsp.discover', 'certlsp.generate', 'certlsp.generateCsrs', 'certlsp.import',
      'certlsp.importCertificates',
    'certlsp.importCertificatesPrompt', 'certlsp.install'].sort());
  for (const [command, result] of Object.entries(refused)) assert.equal(result, null, `${command} returned ${JSON.stringify(result)}`);
  assert.deepEqual(zipsUnder(workspace), []);
  assert.ok(!fs.existsSync(path.join(workspace, 'riverside-campus', 'riverside.site.ledger')), 'no ledger written');
});

test('Restricted Mode: the folder\'s server never ran, not at start and not after Restart Server (the bundled one did)', () => {
  const { restart } = probe.steps;
  assert.ok(restart.after > 0 && restart.after !== restart.before, JSON.stringify(restart));
  assert.ok(restart.commands.includes('certlsp.generateCsrs'), 'the restarted server answered initialize');
  markerAbsent('in Restricted Mode');
});

test('Restricted Mode, the page: a refused command says so', async () => {
  await notification(refusal('Generate CSRs'), 30000);
  await palette('Notifications: Show Notifications');
  await screenshot('refused-notification');
  await palette('Notifications: Clear All Notifications');
});

test('Restricted Mode, the page: the palette and the editor menu offer only the reading commands', async () => {
  const labels = await paletteLabels('CertLsp:');
  await screenshot('palette');
  for (const title of ['CertLsp: Show Certificate Status', 'CertLsp: Restart Server']) assert.ok(labels.some((l) => l.includes(title)),
      `${title} in ${labels.join(' | ')}`);
  for (const title of writing) assert.ok(!labels.some((l) => l.includes(title)), `${title} hidden: ${labels.join(' | ')}`);

  const items = await editorContextMenu(manifestName);
  assert.ok(items.includes('Show Certificate Status'), items.join(' | '));
  for (const title of writing) assert.ok(!items.some((i) => i.startsWith(title)), `${title} hidden: ${items.join(' | ')}`);
});

test('Restricted Mode, the page: Problems rows are shown', async () => {
  await palette('Problems: Focus on Problems View', { exact: false }).catch(async () => palette('View: Focus Problems', { exact: false }));
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'CL0201' }).first().waitFor({ timeout: 30000 });
  await screenshot('problems');
});

test('Restricted Mode, the page: the Generate CSRs code lens gives the message and writes nothing', async () => {
  await quickOpen('riverside.site.yaml');
  await page.locator('.tab.active', { hasText: 'riverside.site.yaml' }).waitFor();
  await goTo(28, 5); // the batch north-wing, its lens above
  const lens = page.locator('.codelens-decoration a', { hasText: 'Generate CSRs' }).first();
  await lens.waitFor({ timeout: 30000 });
  await lens.click();
  await notification(refusal('Generate CSRs'), 30000);
  await screenshot('code-lens-refused');
  await palette('Notifications: Clear All Notifications');
  assert.deepEqual(zipsUnder(workspace), []);
  markerAbsent('after the code lens');
});

test('trusting the folder through the workbench: the folder\'s server starts, the source actions come back', async () => {
  markerAbsent('before trust');
  await palette('Workspaces: Manage Workspace Trust', { exact: false });
  const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^\s*Trust\s*$/ }).first();
  try {
    await trust.waitFor({ state: 'visible', timeout: 30000 });
  } finally {
    await screenshot('trust-editor');
  }
  await trust.click();
  probe = await waitForProbe(probeFile, 150000, (r) => r.phase === 'trusted');
  fs.copyFileSync(probeFile, path.join(artifacts, 'probe-trusted.json'));
  await screenshot('trusted');
  assert.deepEqual(probe.errors, []);
  const { trust: granted } = probe.steps;
  assert.equal(granted.trusted, true);
  assert.ok(granted.granted >= 1, 'onDidGrantWorkspaceTrust fired');
  assert.notEqual(granted.after, granted.before, 'the server restarted with the folder\'s server path');
  assert.ok(fs.existsSync(marker), 'the folder\'s server script runs once the folder is trusted');
  assert.match(fs.readFileSync(marker, 'utf8'), /lsp --stdio/);
  assert.ok(probe.steps.diagnosticsTrusted.length > 0);
  const titles = probe.steps.sourceActionsTrusted.map((a) => a.title);
  assert.ok(titles.some((t) => /Generate CSRs/i.test(t)) && titles.some((t) => /Import signed certificates/i.test(t)), titles.join(' | '));
});

test('trusted: Generate CSRs is in the palette again and writes the zips', async () => {
  await quickOpen('riverside.site.yaml');
  await page.locator('.tab.active', { hasText: 'riverside.site.yaml' }).waitFor();
  await palette('CertLsp: Generate CSRs…');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'All devices' }).first().click();
  const message = await notification(/CSRs: [1-9]\d* requested, 0 no action taken, 0 failed/, 120000);
  await screenshot('trusted-generate-csrs');
  const zips = zipsUnder(workspace);
  assert.ok(zips.length > 0, `no zip under ${workspace}; notification: ${message}`);
});
