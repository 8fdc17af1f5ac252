// Headless Debian chromium through playwright-core, offline by construction: every request
// whose host is not 127.0.0.1 is aborted (VSCODE-HOST.md lists the flags).
import { chromium } from 'playwright-core';
import { chromiumBinary } from './paths.mjs';

/** Launches the browser and opens a context; `blocked()` counts the requests it refused. */
export async function offlineBrowser(viewport) {
  const browser = await chromium.launch({
    executablePath: chromiumBinary,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport });
  let blocked = 0;
  await context.route('**/*', (route) => {
    if (new URL(route.request().url()).hostname === '127.0.0.1') return route.continue();
    blocked++;
    return route.abort('blockedbyclient');
  });
  return { browser, context, blocked: () => blocked };
}
