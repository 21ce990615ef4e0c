// Drives calls through the SDK (window.RealtimeTokens) as the plan in the page's URL
// fragment says, reporting every event on the console (`sdk:` + JSON, which drive_sdk.mjs
// reads: evaluating script from the driver would count as a user gesture), and counts what
// the page holds afterwards (live microphone tracks, audio elements, open AudioContexts and
// peer connections, window listeners).
(() => {
  const began = performance.now();
  const note = (kind, data = {}) =>
    console.debug(`sdk:${JSON.stringify({ kind, at: Math.round(performance.now() - began), ...data })}`);

  const held = { tracks: [], contexts: [], peers: [], listeners: 0 };
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    held.tracks.push(...stream.getTracks());
    return stream;
  };
  const NativeAudioContext = window.AudioContext;
  window.AudioContext = class extends NativeAudioContext {
    constructor(...args) {
      super(...args);
      held.contexts.push(this);
    }
  };
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(...args) {
      super(...args);
      held.peers.push(this);
    }
  };
  const add = window.addEventListener.bind(window);
  const remove = window.removeEventListener.bind(window);
  window.addEventListener = (type, listener, options) => {
    held.listeners += 1;
    add(type, listener, options);
  };
  window.removeEventListener = (type, listener, options) => {
    held.listeners -= 1;
    remove(type, listener, options);
  };
  const leftovers = () => ({
    liveTracks: held.tracks.filter((t) => t.readyState === 'live').length,
    tracks: held.tracks.length,
    audioElements: document.querySelectorAll('audio').length,
    openContexts: held.contexts.filter((c) => c.state !== 'closed').length,
    contexts: held.contexts.length,
    openPeers: held.peers.filter((p) => p.connectionState !== 'closed' && p.signalingState !== 'closed').length,
    windowListeners: held.listeners,
  });
  window.leftovers = leftovers;

  const EVENTS = ['started', 'agentState', 'transcript', 'message', 'muted', 'reconnecting', 'reconnected', 'audioBlocked', 'ended'];

  async function options(plan) {
    if (plan.endpoint) {
      return { tokenEndpoint: plan.endpoint, publishableKey: plan.key, agent: plan.agent, participantName: 'Ada', metadata: { from: 'sdk test' }, ...plan.options };
    }
    const answer = await fetch(`/backend?agent=${encodeURIComponent(plan.agent ?? '')}`, { method: 'POST' });
    return { ...(await answer.json()), ...plan.options };
  }

  async function oneCall(plan) {
    const call = window.RealtimeTokens.createCall(await options(plan));
    window.call = call;
    for (const name of EVENTS) call.on(name, (payload) => note(name, payload ? { ...payload } : {}));
    call.on('error', (error) => note('error', { code: error.code, message: error.message }));
    const peak = { input: 0, output: 0, count: 0 };
    call.on('volume', ({ input, output }) => {
      peak.count += 1;
      peak.input = Math.max(peak.input, input);
      peak.output = Math.max(peak.output, output);
    });
    call.on('audioBlocked', () => note('playback', playback()));
    for (const tool of plan.tools ?? []) {
      call.registerTool(tool, async (payload, invocation) => {
        note('tool', { tool, payload, caller: invocation.callerIdentity });
        return `shown ${payload}`;
      });
    }
    const ended = new Promise((resolve) => call.on('ended', resolve));
    if (plan.endOn) call.on(plan.endOn, () => setTimeout(() => call.end(), plan.endAfterMs ?? 0));
    try {
      await call.connect();
      note('connected', { callId: call.callId, roomName: call.roomName, state: call.state });
    } catch (error) {
      note('connect_failed', { code: error.code, message: error.message, state: call.state });
    }
    await ended;
    note('volume_peak', peak);
  }

  const playback = () => {
    const elements = [...document.querySelectorAll('audio')];
    return { elements: elements.length, playing: elements.filter((a) => !a.paused).length, time: elements[0]?.currentTime ?? 0 };
  };

  // Chromium lets a page that captures the microphone autoplay whatever --autoplay-policy
  // says (its capture exception); `plan.strictAutoplay` makes this page a browser without
  // that exception: media plays only once the user has activated the page.
  function strictAutoplay() {
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function () {
      if (navigator.userActivation.hasBeenActive) return play.call(this);
      HTMLMediaElement.prototype.pause.call(this);
      return Promise.reject(new DOMException('play() can only be initiated by a user gesture.', 'NotAllowedError'));
    };
  }

  let plan = {};
  document.getElementById('gesture').addEventListener('click', async () => {
    try {
      await window.call.startAudio();
      await new Promise((resolve) => setTimeout(resolve, 700));
      note('audio_started', playback());
    } catch (error) {
      note('audio_start_failed', { code: error.code, message: error.message });
    }
    if (plan.endAfterGesture) await window.call.end();
  });

  const run = async () => {
    const before = leftovers();
    try {
      for (let i = 0; i < (plan.cycles ?? 1); i++) await oneCall(plan);
      // give the room's asynchronous teardown (audio context, peer connections) a moment
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = leftovers();
      note('leftovers', { ...after, windowListeners: after.windowListeners - before.windowListeners });
    } catch (error) {
      note('harness_failed', { message: String(error) });
    } finally {
      console.debug('sdk:done');
    }
  };
  plan = JSON.parse(decodeURIComponent(location.hash.slice(1)) || '{}');
  if (plan.strictAutoplay) strictAutoplay();
  void run();
})();
