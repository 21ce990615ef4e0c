import { Room, RoomEvent, TokenSource, Track, decodeTokenPayload } from 'livekit-client';

const $ = (id) => document.getElementById(id);

function show(fields) {
  for (const [id, text] of Object.entries(fields)) $(id).textContent = text;
}

function fail(message) {
  show({ error: message });
  document.body.dataset.phase = 'failed';
}

let tokenSource = null;

async function loadAgents() {
  const response = await fetch('/demo/config');
  const config = await response.json();
  // The production path: LiveKit's standard token endpoint, with a publishable key that
  // works from this page's origin only.
  tokenSource = TokenSource.endpoint(new URL(config.token_endpoint, location.href).href, {
    headers: { Authorization: `Bearer ${config.publishable_key}` },
  });
  $('agent').replaceChildren(
    ...config.agents.map(
      (agent) => new Option(`${agent.name} (${agent.dispatch_name})`, agent.dispatch_name),
    ),
  );
  $('start').disabled = config.agents.length === 0;
  document.body.dataset.phase = 'ready';
}

async function requestToken(agentName) {
  const credentials = await tokenSource.fetch({
    agentName,
    agentMetadata: JSON.stringify({ source: 'demo' }),
    participantName: 'Demo caller',
  });
  const claims = decodeTokenPayload(credentials.participantToken);
  return {
    room_name: claims.video.room,
    call_id: claims.attributes.call_id,
    expires_at: claims.exp * 1000,
    server_url: credentials.serverUrl,
    client_token: credentials.participantToken,
  };
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
