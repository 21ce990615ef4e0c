// Usage: node drive_sdk.mjs <page URL> <plan JSON>
// Opens an SDK page (sdk_page/harness.js) with `plan` in its URL fragment in headless
// Chromium, fake microphone, loopback-only WebRTC, and collects what the page reports on its
// console until it is done or `plan.timeoutMs` passes. `plan.chromiumArgs` adds flags,
// `plan.denyMicrophone` refuses the microphone; `plan.clickWhen` names a log entry after
// which the page's button gets a real click (the only user gesture the page ever sees:
// nothing here evaluates script in it). Prints {log, done, console} as JSON.
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
const outcome = { log: [], done: false, console: [] };
try {
  const page = await browser.newPage();
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  let clicked = false;
  page.on('console', (message) => {
    const text = message.text();
    if (text === 'sdk:done') {
      outcome.done = true;
      finish();
    } else if (text.startsWith('sdk:')) {
      const entry = JSON.parse(text.slice(4));
      outcome.log.push(entry);
      if (plan.clickWhen === entry.kind && !clicked) {
        clicked = true;
        page.click('#gesture').catch((error) => outcome.console.push(`click: ${error.message}`));
      }
    } else {
      outcome.console.push(`${message.type()}: ${text}`);
    }
  });
  page.on('pageerror', (error) => outcome.console.push(`pageerror: ${error.message}`));
  await page.goto(`${url}#${encodeURIComponent(JSON.stringify(plan))}`);
  let timer;
  await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, plan.timeoutMs ?? 30_000)))]);
  clearTimeout(timer);
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
} finally {
  await browser.close();
}
