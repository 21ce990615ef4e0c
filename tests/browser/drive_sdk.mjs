// Usage: node drive_sdk.mjs <page URL> <plan JSON>
// Runs `plan` on an SDK page (sdk_page/harness.js) in headless Chromium with a fake
// microphone and loopback-only WebRTC; `plan.chromiumArgs` adds or `plan.denyMicrophone`
// replaces flags; `plan.clickWhen` names a log entry after which the page's button gets a
// real click (a user gesture), `plan.endWhen` one after which the page calls `call.end()`.
// Prints the page's log as JSON.
import { launchChromium } from './launch.mjs';

const [url, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson);
const media = plan.denyMicrophone
  ? ['--use-fake-device-for-media-stream', '--deny-permission-prompts']
  : ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const browser = await launchChromium([
  ...media,
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  ...(plan.chromiumArgs ?? ['--autoplay-policy=no-user-gesture-required']),
]);
const consoleLines = [];
try {
  const page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 10_000 });
  await page.evaluate((p) => void window.run(p), plan);
  const deadline = Date.now() + (plan.timeoutMs ?? 30_000);
  let clicked = false;
  let ended = false;
  while (Date.now() < deadline) {
    const { done, kinds } = await page.evaluate(() => ({ done: window.sdkDone, kinds: window.sdkLog.map((e) => e.kind) }));
    if (done) break;
    if (plan.clickWhen && !clicked && kinds.includes(plan.clickWhen)) {
      clicked = true;
      await page.click('#gesture');
    }
    if (plan.endWhen && !ended && kinds.includes(plan.endWhen)) {
      ended = true;
      await page.evaluate(() => window.call.end());
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const log = await page.evaluate(() => window.sdkLog);
  const done = await page.evaluate(() => window.sdkDone);
  process.stdout.write(`${JSON.stringify({ log, done, console: consoleLines })}\n`);
} finally {
  await browser.close();
}
