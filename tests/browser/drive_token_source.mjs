// Usage: node drive_token_source.mjs <page URL> <token endpoint URL> <publishable key> <agent>
// Opens a customer's page in headless Chromium and starts a call with livekit-client's
// TokenSource.endpoint; prints what happened as one JSON object.
import { launchChromium } from './launch.mjs';

const [url, endpoint, key, agent] = process.argv.slice(2);
const browser = await launchChromium();
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
