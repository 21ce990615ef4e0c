// Usage: node drive_call.mjs <page URL> <plan JSON>
// Holds a call on the page in headless Chromium (fake microphone, loopback WebRTC) until the
// page reports a disconnect, `plan.closeTabWhen` names a log entry that appeared (then the
// tab is closed mid-call), or `plan.timeoutMs` passes; prints the page's log as JSON.
import { CALL_ARGS, launchChromium } from './launch.mjs';

const [url, planJson] = process.argv.slice(2);
const plan = JSON.parse(planJson);
const browser = await launchChromium(CALL_ARGS);
const outcome = { log: [], closed: false, ice: [] };
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (process.env.CALL_CONSOLE) process.stderr.write(`${m.text()}\n`); });
  await page.goto(url);
  await page.evaluate((p) => { window.startCall(p); }, plan);
  const deadline = Date.now() + (plan.timeoutMs ?? 30000);
  while (Date.now() < deadline) {
    const state = await page.evaluate(() => ({ done: window.callDone, kinds: window.callLog.map((e) => e.kind) }));
    if (state.done) break;
    if (plan.closeTabWhen && state.kinds.includes(plan.closeTabWhen)) {
      outcome.log = await page.evaluate(() => window.callLog);
      outcome.ice = await page.evaluate(() => window.iceReport(window.room));
      await page.close({ runBeforeUnload: true });
      outcome.closed = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!outcome.closed) {
    outcome.log = await page.evaluate(() => window.callLog);
    outcome.ice = await page.evaluate(() => (window.room ? window.iceReport(window.room) : []));
  }
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} finally {
  await browser.close();
}
