// Usage: node drive_token_source.mjs <page URL> <token endpoint URL> <publishable key> <agent>
// Opens a customer's page in headless Chromium and starts a call with livekit-client's
// TokenSource.endpoint; prints what happened as one JSON object.
import { chromium } from 'playwright-core';

const [url, endpoint, key, agent] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  const outcome = await page.evaluate(
    ([e, k, a]) => window.startCall(e, k, a),
    [endpoint, key, agent],
  );
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} finally {
  await browser.close();
}
