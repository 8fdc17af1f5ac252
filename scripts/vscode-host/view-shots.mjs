#!/usr/bin/env node
// The README's screenshots of the migration view and the walkthrough (not part of npm test): runs
// `npm start -- --web` on examples/ the way demo-check.mjs does, in a headless Debian chromium
// (offline: only 127.0.0.1 is reachable), and saves
//   docs/images/migration-view.png  the Migration view in its own view container, expanded, with
//                                   its status bar item
//   docs/images/walkthrough.png     the walkthrough "Migrate from AAD Pod Identity to Workload Identity"
//
//   node scripts/vscode-host/view-shots.mjs [--out-dir DIR]
// Exit code 0 when every step worked.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { offlineBrowser } from './browser.mjs';
import { startNpmStart, stopNpmStart } from './npm-start.mjs';
import { repoRoot } from './paths.mjs';

const log = (line) => console.log(`[view-shots] ${line}`);
const outDirIndex = process.argv.indexOf('--out-dir');
const outDir = outDirIndex > 0 ? process.argv[outDirIndex + 1] : join(repoRoot, 'docs', 'images');
mkdirSync(outDir, { recursive: true });
const shots = { view: join(outDir, 'migration-view.png'), walkthrough: join(outDir, 'walkthrough.png') };

async function command(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

async function shoot(page) {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => {});
  // The status bar item appears once the model is built; clicking it opens the view.
  const status = page.locator('[id="wi-migrate.aks-workload-identity-migrator.wiMigrate.podIdentityCount"], .statusbar-item', { hasText: 'on pod identity' }).first();
  await status.waitFor({ timeout: 180_000 });
  log(`status bar: ${(await status.innerText()).trim()}`);
  await status.click();
  const rows = page.locator('[id="workbench.view.extension.wiMigrate"] .monaco-list-row, .pane-body .monaco-list-row', { hasText: 'AzureIdentity orders/orders-identity' });
  await rows.first().waitFor({ timeout: 60_000 });
  // Widen the side bar so the labels read whole: drag the sash at its right edge.
  const sidebar = await page.locator('#workbench\\.parts\\.sidebar').boundingBox();
  if (sidebar) {
    const x = sidebar.x + sidebar.width;
    const y = sidebar.y + sidebar.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 300, y, { steps: 10 });
    await page.mouse.up();
  }
  // Open the Deployment under the orders binding to show its places, and the cluster-free tree.
  const api = page.locator('.monaco-list-row', { hasText: 'Deployment orders/orders-api' }).first();
  await api.waitFor({ timeout: 30_000 });
  await api.locator('.monaco-tl-twistie').click();
  await page.locator('.monaco-list-row', { hasText: 'aadpodidbinding label' }).first().waitFor({ timeout: 30_000 });
  await api.hover();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: shots.view });
  log(`screenshot: ${shots.view}`);

  // The walkthrough gets the whole window.
  await command(page, 'View: Close Primary Side Bar');
  await command(page, 'Open the migration walkthrough');
  await page.locator('.getting-started-step, .gettingStartedContainer', { hasText: 'Enable the OIDC issuer' }).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(2000);
  await page.screenshot({ path: shots.walkthrough });
  log(`screenshot: ${shots.walkthrough}`);
}

const npmStart = startNpmStart();
let browser;
let exitCode = 1;
try {
  const url = await npmStart.url;
  log(`URL: ${url}`);
  const offline = await offlineBrowser({ width: 1400, height: 900 });
  browser = offline.browser;
  const page = await offline.context.newPage();
  await page.goto(url, { timeout: 300_000 });
  try {
    await shoot(page);
    exitCode = 0;
  } catch (error) {
    await page.screenshot({ path: join('/tmp', 'view-shots-failure.png') }).catch(() => {});
    throw error;
  }
} catch (error) {
  log(`FAILED: ${error.message} (see /tmp/view-shots-failure.png)`);
} finally {
  await browser?.close().catch(() => {});
  await stopNpmStart(npmStart, log);
}
process.exit(exitCode);
