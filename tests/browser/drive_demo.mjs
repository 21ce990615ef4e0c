// Usage: node drive_demo.mjs <demo page URL> <screenshot path>
// Presses "Start call" on the demo page in headless Chromium, waits for the call to be shown
// and for LiveKit's answer (here: the test's stand-in), saves a screenshot, prints what the
// page shows as one JSON object.
import { launchChromium } from './launch.mjs';

const [url, screenshot] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  await page.goto(url);
  await page.waitForSelector('body[data-phase="ready"]', { timeout: 10_000 });
  const agents = await page.locator('#agent option').allTextContents();
  await page.click('#start');
  await page.waitForSelector('body[data-phase="connected"], body[data-phase="failed"]', {
    timeout: 30_000,
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  const text = async (id) => (await page.locator(`#${id}`).textContent()).trim();
  const shown = {
    phase: await page.getAttribute('body', 'data-phase'),
    agents,
    state: await text('state'),
    room: await text('room'),
    call: await text('call'),
    expires: await text('expires'),
    server: await text('server'),
    error: await text('error'),
    console: consoleLines,
  };
  process.stdout.write(`${JSON.stringify(shown)}\n`);
} finally {
  await browser.close();
}
