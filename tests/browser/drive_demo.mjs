// Usage: node drive_demo.mjs <demo page URL> <screenshot path>
// Presses "Start call" on the demo page in headless Chromium (fake microphone, loopback
// WebRTC), records every agent state the page shows and the highest levels of its meters,
// waits for the call to end (or fail), saves a screenshot, prints what the page showed as one
// JSON object.
import { CALL_ARGS, launchChromium } from './launch.mjs';

const [url, screenshot] = process.argv.slice(2);
const browser = await launchChromium(CALL_ARGS);
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  await page.goto(url);
  await page.waitForSelector('body[data-phase="ready"]', { timeout: 10_000 });
  const agents = await page.locator('#agent option').allTextContents();
  await page.evaluate(() => {
    window.seen = { agentStates: [], phases: [], input: 0, output: 0 };
    const agentState = document.getElementById('agentState');
    new MutationObserver(() => window.seen.agentStates.push(agentState.textContent)).observe(agentState, {
      childList: true,
      characterData: true,
      subtree: true,
    });
    new MutationObserver(() => window.seen.phases.push(document.body.dataset.phase)).observe(document.body, {
      attributes: true,
      attributeFilter: ['data-phase'],
    });
    setInterval(() => {
      window.seen.input = Math.max(window.seen.input, document.getElementById('inputLevel').value);
      window.seen.output = Math.max(window.seen.output, document.getElementById('outputLevel').value);
    }, 50);
  });
  const waitFor = (selector, timeout) =>
    page.waitForSelector(selector, { timeout }).then(
      () => true,
      () => false,
    );
  await page.click('#start');
  await waitFor('body[data-phase="started"], body[data-phase="failed"]', 30_000);
  await waitFor('#transcript li[data-role="agent"]:not(.interim)', 20_000);
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-started.png'), fullPage: true });
  await waitFor('body[data-phase="ended"], body[data-phase="failed"]', 30_000);
  await page.screenshot({ path: screenshot, fullPage: true });
  const text = async (id) => (await page.locator(`#${id}`).textContent()).trim();
  const shown = {
    phase: await page.getAttribute('body', 'data-phase'),
    agents,
    state: await text('state'),
    room: await text('room'),
    call: await text('call'),
    error: await text('error'),
    transcript: await page.$$eval('#transcript li', (lines) =>
      lines.map((line) => ({ role: line.dataset.role, text: line.textContent, interim: line.classList.contains('interim') })),
    ),
    seen: await page.evaluate(() => window.seen),
    console: consoleLines,
  };
  process.stdout.write(`${JSON.stringify(shown)}\n`);
} finally {
  await browser.close();
}
