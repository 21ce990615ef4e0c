import { createCall } from '@realtime-tokens/web';

const $ = (id) => document.getElementById(id);

function show(fields) {
  for (const [id, text] of Object.entries(fields)) $(id).textContent = text;
}

function phase(name) {
  document.body.dataset.phase = name;
}

let config = null;
let call = null;

async function loadAgents() {
  const response = await fetch('/demo/config');
  config = await response.json();
  $('agent').replaceChildren(
    ...config.agents.map(
      (agent) => new Option(`${agent.name} (${agent.dispatch_name})`, agent.dispatch_name),
    ),
  );
  $('start').disabled = config.agents.length === 0;
  phase('ready');
}

function showTranscript({ role, segmentId, text, final }) {
  let line = document.querySelector(`#transcript [data-segment="${CSS.escape(segmentId)}"]`);
  if (!line) {
    line = document.createElement('li');
    line.dataset.segment = segmentId;
    line.dataset.role = role;
    $('transcript').append(line);
  }
  line.textContent = `${role === 'agent' ? 'Agent' : 'You'}: ${text}`;
  line.classList.toggle('interim', !final);
}

function buttons({ calling }) {
  $('start').disabled = calling;
  $('hangup').disabled = !calling;
  $('mute').disabled = !calling;
}

// The production path, through the browser SDK: LiveKit's standard token endpoint of this
// service, with a publishable key that works from this page's origin only.
async function startCall() {
  buttons({ calling: true });
  $('transcript').replaceChildren();
  show({ error: '', state: 'connecting', agentState: '', room: '', call: '' });
  phase('connecting');
  call = createCall({
    tokenEndpoint: new URL(config.token_endpoint, location.href).href,
    publishableKey: config.publishable_key,
    agent: $('agent').value,
    metadata: { source: 'demo' },
    participantName: 'Demo caller',
  });
  call.on('started', ({ callId, roomName }) => {
    show({ state: 'started', room: roomName, call: callId ?? '' });
    phase('started');
  });
  call.on('agentState', ({ state }) => show({ agentState: state }));
  call.on('transcript', showTranscript);
  call.on('volume', ({ input, output }) => {
    $('inputLevel').value = input;
    $('outputLevel').value = output;
  });
  call.on('muted', ({ muted }) => ($('mute').textContent = muted ? 'Unmute' : 'Mute'));
  call.on('reconnecting', () => show({ state: 'reconnecting' }));
  call.on('reconnected', () => show({ state: 'started' }));
  call.on('audioBlocked', () => ($('unblock').hidden = false));
  call.on('error', (error) => show({ error: `${error.code}: ${error.message}` }));
  call.on('ended', ({ reason, detail }) => {
    show({ state: `ended (${reason}${detail ? `: ${detail}` : ''})` });
    $('inputLevel').value = 0;
    $('outputLevel').value = 0;
    $('unblock').hidden = true;
    buttons({ calling: false });
    phase(reason === 'client' || reason === 'agent' ? 'ended' : 'failed');
  });
  try {
    await call.connect();
    show({ state: call.state === 'started' ? 'started' : 'waiting for the agent', call: call.callId ?? '', room: call.roomName ?? '' });
  } catch {
    // the `error` and `ended` listeners have shown it
  }
}

$('start').addEventListener('click', startCall);
$('hangup').addEventListener('click', () => call?.end());
$('mute').addEventListener('click', () => call?.setMuted(!call.isMuted));
$('unblock').addEventListener('click', async () => {
  await call?.startAudio();
  $('unblock').hidden = true;
});
loadAgents().catch((error) => {
  show({ error: `agents: ${error.message}` });
  phase('failed');
});
