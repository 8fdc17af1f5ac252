#!/usr/bin/env node
// Manual check of `npm start` (not part of npm test): runs `npm start -- --web` the way a user
// would, opens the URL it prints in a headless Debian chromium (offline: only 127.0.0.1 is
// reachable), opens examples/manifests/orders/deployment.yaml through Quick Open, waits for the
// extension's findings, and saves two screenshots:
//   /tmp/npm-start.png            the file with its squiggles and the Problems panel
//   /tmp/npm-start-lightbulb.png  the quick-fix menu (Ctrl+.) on the pod template's aadpodidbinding
//   /tmp/npm-start-migration.png  "Migrate workspace to workload identity": the Refactor Preview,
//                                 grouped by type, every change checked
//   /tmp/npm-start-migration-unchecked.png  the same with one Deployment's changes unchecked
// No fix is applied: the preview is discarded. The Problems count with the preview open must not
// be higher than after Discard (the preview's documents are not checked). Stops npm start with SIGINT at the end (which stops code-server).
//
//   node scripts/vscode-host/demo-check.mjs [--out-dir DIR]
// Exit code 0 when every step worked.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { offlineBrowser } from './browser.mjs';
import { startNpmStart, stopNpmStart } from './npm-start.mjs';

const log = (line) => console.log(`[demo-check] ${line}`);
const outDirIndex = process.argv.indexOf('--out-dir');
const outDir = outDirIndex > 0 ? process.argv[outDirIndex + 1] : '/tmp';
mkdirSync(outDir, { recursive: true });
const shots = {
  problems: join(outDir, 'npm-start.png'),
  lightbulb: join(outDir, 'npm-start-lightbulb.png'),
  migration: join(outDir, 'npm-start-migration.png'),
  unchecked: join(outDir, 'npm-start-migration-unchecked.png'),
};
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

async function problemCounts(page) {
  // The status bar's problems item: "<errors> <warnings> <infos>" next to their icons.
  const text = await page.locator('[id="status.problems"]').innerText().catch(() => '');
  const numbers = (text.match(/\d+/g) ?? []).map(Number);
  return { text: text.replace(/\s+/g, ' ').trim(), total: numbers.reduce((a, b) => a + b, 0) };
}

async function waitFor(description, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function check(page, url) {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
  log(`workbench up at ${seconds()}`);
  const title = await page.title();
  log(`window title: ${title}`);

  // Quick Open, the way a user would.
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
  await page.keyboard.press('Control+P');
  const quickInput = page.locator('.quick-input-widget input');
  await quickInput.waitFor({ timeout: 15_000 });
  await quickInput.fill('orders/deployment.yaml');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'deployment.yaml' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: 'deployment.yaml' }).waitFor({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
  log(`orders/deployment.yaml open at ${seconds()}`);

  const counts = await waitFor('the problems count to become non-zero', async () => {
    const c = await problemCounts(page);
    return c.total > 0 ? c : undefined;
  }, 120_000);
  const squiggles = await waitFor('squiggles in the editor', async () => {
    const n = await page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-info').count();
    return n > 0 ? n : undefined;
  }, 60_000);
  log(`status bar problems: "${counts.text}" (total ${counts.total}); ${squiggles} squiggle decoration(s) in the editor at ${seconds()}`);

  // The Problems panel, for the first screenshot. The first findings can come before the
  // extension has indexed the whole workspace; once it has, the pod template's finding names the
  // AzureIdentity that binding.yaml and azureidentity.yaml (other files) lead to.
  await page.keyboard.press('Control+Shift+M');
  const markers = page.locator('.markers-panel .monaco-list-row');
  await markers.first().waitFor({ timeout: 30_000 });
  await waitFor('the finding to name the AzureIdentity of another file', async () => (
    (await markers.allInnerTexts()).some((row) => row.includes('maps to AzureIdentity orders/orders-identity'))
  ), 60_000);
  await page.waitForTimeout(1000);
  const rows = await markers.allInnerTexts();
  log(`Problems panel rows (${rows.length}):`);
  for (const row of rows) console.log(`    ${row.replace(/\s+/g, ' ').trim().slice(0, 150)}`);
  await page.screenshot({ path: shots.problems });
  log(`screenshot: ${shots.problems}`);

  // The quick fixes on line 19 (aadpodidbinding in the pod template), from the editor.
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+G');
  await quickInput.waitFor({ timeout: 15_000 });
  await quickInput.fill(':19:10');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget:not(.action-list-submenu-panel)').first();
  await menu.waitFor({ state: 'visible', timeout: 30_000 });
  await menu.locator('.monaco-list-row').first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  const actions = await menu.locator('.monaco-list-row').allInnerTexts();
  log(`quick-fix menu (${actions.length} rows):`);
  for (const action of actions) console.log(`    ${action.replace(/\s+/g, ' ').trim()}`);
  await page.screenshot({ path: shots.lightbulb });
  log(`screenshot: ${shots.lightbulb}`);
  await page.keyboard.press('Escape');

  if (!actions.some((a) => /workload identity|aadpodidbinding|azure\.workload\.identity/i.test(a))) {
    throw new Error('the quick-fix menu has no workload identity fix');
  }
  await migrationPreview(page, quickInput);
}

/** The workspace migration from the Command Palette, up to its Refactor Preview; then Discard. */
async function migrationPreview(page, quickInput) {
  await page.keyboard.press('F1');
  await quickInput.waitFor({ timeout: 15_000 });
  await quickInput.fill('>Migrate workspace to workload identity');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Migrate workspace' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  const rows = page.locator('.bulk-edit-panel .monaco-list-row');
  await rows.first().waitFor({ timeout: 60_000 });
  const group = page.locator('.action-label[aria-label="Group Changes By Type"]');
  if (await group.count()) await group.first().click();
  // The list is virtual: only rows in view exist. A whole workspace's groups fill more than the
  // panel's default height, so the panel is maximized to show them.
  const maximize = page.locator('.action-label[aria-label^="Maximize Panel"]');
  if (await maximize.count()) await maximize.first().click();
  await waitFor('the preview grouped by type', async () => (await rows.allInnerTexts()).some((r) => /^(Migrate|Create|Remove|Annotate) /.test(r)), 30_000);
  await page.waitForTimeout(1000);
  // Collapse every group (Left on a group collapses it, Down goes to the next), as a reviewer would
  // to see the list of changes.
  await rows.first().locator('.monaco-icon-label, .label, span').first().click();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Home');
  await page.waitForTimeout(500);
  const texts = await rows.allInnerTexts();
  log(`Refactor Preview rows (${texts.length} shown):`);
  for (const row of texts) console.log(`    ${row.replace(/\s+/g, ' ').trim().slice(0, 150)}`);
  const unchecked = await page.locator('.bulk-edit-panel .monaco-list-row .edit-checkbox[aria-checked="false"]').count();
  log(`unchecked rows: ${unchecked}`);
  if (unchecked > 0) throw new Error('the preview opened with unchecked changes');
  const during = await problemCounts(page);
  await page.screenshot({ path: shots.migration });
  log(`screenshot: ${shots.migration}`);
  // Leave the first Deployment out, as a reviewer would: a group has no checkbox of its own, so
  // open it and uncheck its file.
  const index = (await rows.allInnerTexts()).findIndex((r) => r.startsWith('Migrate Deployment '));
  if (index < 0) throw new Error('no Deployment in the preview');
  await rows.nth(index).click();
  await page.keyboard.press('ArrowRight');
  await rows.nth(index + 1).locator('.edit-checkbox').click({ timeout: 10_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: shots.unchecked });
  log(`screenshot: ${shots.unchecked}`);
  await page.locator('.bulk-edit-panel .monaco-button', { hasText: 'Discard' }).first().click({ timeout: 15_000 });
  await rows.first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {});
  await page.waitForTimeout(2000);
  // The preview's own documents are gone after Discard. Had they been
  // checked, the count with the preview open would be the higher one.
  const after = await problemCounts(page);
  log(`status bar problems with the preview open: "${during.text}"; after Discard: "${after.text}"`);
  if (during.total > after.total) throw new Error('the preview\'s documents were checked: the Problems count was higher while it was open');
}

async function main() {
  log('starting npm start -- --web');
  const npmStart = startNpmStart({ echo: true });
  let browser;
  let exitCode = 1;
  try {
    const url = await npmStart.url;
    log(`URL printed at ${seconds()}: ${url}`);
    const offline = await offlineBrowser({ width: 1400, height: 900 });
    browser = offline.browser;
    const { context, blocked } = offline;
    const page = await context.newPage();
    try {
      await check(page, url);
      exitCode = 0;
    } catch (error) {
      const shot = join(outDir, 'npm-start-failure.png');
      await page.screenshot({ path: shot }).then(() => log(`failure screenshot: ${shot}`), () => {});
      throw error;
    } finally {
      log(`requests to hosts other than 127.0.0.1 blocked: ${blocked()}`);
    }
  } catch (error) {
    log(`FAILED: ${error.message}`);
  } finally {
    await browser?.close().catch(() => {});
    const outcome = await stopNpmStart(npmStart, log);
    log(`npm start stopped (${outcome ? (outcome.signal ?? `exit ${outcome.code}`) : 'killed'})`);
  }
  log(`${exitCode === 0 ? 'OK' : 'FAILED'} after ${seconds()}`);
  process.exit(exitCode);
}

await main();
