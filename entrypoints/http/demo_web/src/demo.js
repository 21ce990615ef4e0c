import { Room, RoomEvent, Track } from 'livekit-client';

const $ = (id) => document.getElementById(id);

function show(fields) {
  for (const [id, text] of Object.entries(fields)) $(id).textContent = text;
}

function fail(message) {
  show({ error: message });
  document.body.dataset.phase = 'failed';
}

async function loadAgents() {
  const response = await fetch('/demo/agents');
  const agents = await response.json();
  $('agent').replaceChildren(
    ...agents.map((agent) => new Option(`${agent.name} (${agent.dispatch_name})`, agent.id)),
  );
  $('start').disabled = agents.length === 0;
  document.body.dataset.phase = 'ready';
}

async function requestToken(agentId) {
  const response = await fetch('/demo/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_id: agentId }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.code}: ${body.detail}`);
  return body;
}

function joinRoom() {
  const room = new Room();
  room.on(RoomEvent.ConnectionStateChanged, (state) => show({ state }));
  room.on(RoomEvent.TrackSubscribed, (track) => {
    if (track.kind === Track.Kind.Audio) $('audio').append(track.attach());
  });
  room.on(RoomEvent.Disconnected, () => {
    $('start').disabled = false;
    $('hangup').disabled = true;
  });
  return room;
}

let room = null;

async function startCall() {
  $('start').disabled = true;
  show({ error: '', state: 'requesting a token', room: '', call: '', expires: '', server: '' });
  let call;
  try {
    call = await requestToken($('agent').value);
  } catch (error) {
    $('start').disabled = false;
    show({ state: 'no token' });
    fail(error.message);
    return;
  }
  show({
    room: call.room_name,
    call: call.call_id,
    expires: new Date(call.expires_at).toISOString(),
    server: call.server_url,
  });
  room = joinRoom();
  $('hangup').disabled = false;
  document.body.dataset.phase = 'connecting';
  try {
    await room.connect(call.server_url, call.client_token);
  } catch (error) {
    fail(`LiveKit: ${error.message}`);
    return;
  }
  document.body.dataset.phase = 'connected';
  try {
    await room.localParticipant.setMicrophoneEnabled(true);
  } catch (error) {
    show({ error: `microphone: ${error.message}` });
  }
}

$('start').addEventListener('click', startCall);
$('hangup').addEventListener('click', () => room?.disconnect());
loadAgents().catch((error) => fail(`agents: ${error.message}`));
