// Debian's Chromium, headless, with no background traffic (this machine's network is closed).
import { chromium } from 'playwright-core';

// For a WebRTC call on loopback: Chromium's fake microphone (a beep) with no permission
// prompt, loopback candidates allowed and not hidden behind mDNS names, audio that plays
// without a gesture (a test reads the agent's level through WebAudio).
export const CALL_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
