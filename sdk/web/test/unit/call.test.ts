import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionError, DisconnectReason, ParticipantKind, RoomEvent } from 'livekit-client';
import { CallError } from '../../src/errors.js';
import { audioTrack, callWith, FakePlatform, FakeTextStream, participant, record, tick } from './fakes.js';

const agent = () => participant('agent-1', ParticipantKind.AGENT, { 'lk.agent.state': 'initializing' });

async function startedCall(platform = new FakePlatform()) {
  const call = callWith(platform);
  const seen = record(call);
  await call.connect();
  platform.room.join(agent());
  return { call, seen, platform, room: platform.room };
}

test('started waits for the microphone and the agent, then agent state and transcripts follow in order', async () => {
  const platform = new FakePlatform();
  const call = callWith(platform);
  const seen = record(call);
  await call.connect();
  const room = platform.room;
  assert.equal(call.state, 'connecting');
  assert.deepEqual(room.published, [platform.mics[0]]);
  assert.deepEqual(seen, []);
  room.join(participant('avatar', ParticipantKind.AGENT, { 'lk.publish_on_behalf': 'agent-1' }));
  room.join(participant('someone', ParticipantKind.STANDARD));
  assert.deepEqual(seen, [], 'an avatar worker or a person is not the agent');
  const theAgent = agent();
  room.join(theAgent);
  room.setAttributes(theAgent, { 'lk.agent.state': 'listening' });
  room.stream(
    'lk.transcription',
    'caller_c1',
    new FakeTextStream('u1', { 'lk.segment_id': 'SG_U', 'lk.transcription_final': 'true' })
      .write('Hi')
      .close(),
  );
  await tick();
  room.stream(
    'lk.transcription',
    'agent-1',
    new FakeTextStream('a1', { 'lk.segment_id': 'SG_A' })
      .write('Hello!')
      .close({ 'lk.transcription_final': 'true' }),
  );
  await tick();
  room.leave(theAgent);
  assert.deepEqual(seen, [
    ['started', { callId: 'c1', roomName: 'webrtc_c1' }],
    ['agentState', { state: 'initializing' }],
    ['agentState', { state: 'listening' }],
    ['transcript', { role: 'user', segmentId: 'SG_U', text: 'Hi', final: false }],
    ['transcript', { role: 'user', segmentId: 'SG_U', text: 'Hi', final: true }],
    ['transcript', { role: 'agent', segmentId: 'SG_A', text: 'Hello!', final: false }],
    ['transcript', { role: 'agent', segmentId: 'SG_A', text: 'Hello!', final: true }],
    ['agentState', { state: 'disconnected' }],
    ['ended', { reason: 'agent' }],
  ]);
  assert.equal(call.state, 'ended');
  assert.equal(platform.mics[0]?.stopped, true, 'the microphone is off once the agent hangs up');
  assert.equal(room.disconnects, 1);
});

test('an agent already in the room starts the call at once', async () => {
  const platform = new FakePlatform();
  platform.nextRoom = (room) => room.remoteParticipants.set('agent-1', agent());
  const call = callWith(platform);
  const seen = record(call);
  await call.connect();
  assert.equal(call.state, 'started');
  assert.deepEqual(seen.slice(0, 2), [
    ['started', { callId: 'c1', roomName: 'webrtc_c1' }],
    ['agentState', { state: 'initializing' }],
  ]);
  await call.end();
});

test('an agent that joins while the microphone is being published starts the call once it is', async () => {
  const platform = new FakePlatform();
  platform.nextRoom = (room) => (room.onPublish = () => room.join(agent()));
  const call = callWith(platform, { agentJoinTimeoutMs: 30 });
  const seen = record(call);
  await call.connect();
  assert.equal(call.state, 'started');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(
    seen.map(([event]) => event),
    ['started', 'agentState'],
  );
  await call.end();
});

test('a state the agent reaches while the call is connecting is reported once, after started', async () => {
  const platform = new FakePlatform();
  platform.nextRoom = (room) =>
    (room.onPublish = () => {
      const theAgent = agent();
      room.join(theAgent);
      room.setAttributes(theAgent, { 'lk.agent.state': 'listening' });
    });
  const call = callWith(platform);
  const seen = record(call);
  await call.connect();
  const theAgent = platform.room.remoteParticipants.get('agent-1');
  assert.ok(theAgent, 'the agent joined');
  platform.room.setAttributes(theAgent, { 'lk.agent.state': 'listening' }); // announced again
  platform.room.setAttributes(theAgent, { 'lk.agent.state': 'thinking' });
  assert.deepEqual(seen, [
    ['started', { callId: 'c1', roomName: 'webrtc_c1' }],
    ['agentState', { state: 'listening' }],
    ['agentState', { state: 'thinking' }],
  ]);
  await call.end();
});

test('no agent within agentJoinTimeoutMs ends the call agent_unavailable', async () => {
  const platform = new FakePlatform();
  const call = callWith(platform, { agentJoinTimeoutMs: 20 });
  const seen = record(call);
  await call.connect();
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.deepEqual(seen, [['ended', { reason: 'agent_unavailable' }]]);
  assert.equal(platform.mics[0]?.stopped, true);
});

for (const [name, code] of [
  ['NotAllowedError', 'microphone_denied'],
  ['NotFoundError', 'microphone_not_found'],
  ['NotReadableError', 'microphone_in_use'],
  ['AbortError', 'microphone_failed'],
] as const) {
  test(`a microphone ${name} rejects connect() with ${code}, and nothing is joined or requested`, async () => {
    const platform = new FakePlatform();
    platform.micError = Object.assign(new Error('no'), { name });
    const call = callWith(platform, {
      tokenEndpoint: 'https://t.example/v1/livekit/token',
      publishableKey: 'rtpk_a',
      agent: 'a',
    } as never);
    const seen = record(call);
    await assert.rejects(call.connect(), (error) => error instanceof CallError && error.code === code);
    assert.deepEqual(platform.rooms, []);
    assert.deepEqual(platform.requests, [], 'no token was asked for, so no call was created');
    assert.deepEqual(
      seen.map(([event]) => event),
      ['error', 'ended'],
    );
    assert.deepEqual(seen[1], ['ended', { reason: 'error', detail: code }]);
  });
}

test('a token LiveKit refuses ends the call token_rejected', async () => {
  const platform = new FakePlatform();
  platform.nextRoom = (room) => (room.connectError = ConnectionError.notAllowed('invalid token', 401));
  const call = callWith(platform);
  const seen = record(call);
  await assert.rejects(
    call.connect(),
    (error) => error instanceof CallError && error.code === 'token_rejected',
  );
  assert.deepEqual(seen.at(-1), ['ended', { reason: 'token_rejected', detail: 'token_rejected' }]);
  assert.equal(platform.mics[0]?.stopped, true);
});

test('a server it cannot reach ends the call error, connection_failed', async () => {
  const platform = new FakePlatform();
  platform.nextRoom = (room) =>
    (room.connectError = ConnectionError.timeout('could not establish signal connection'));
  const call = callWith(platform);
  const seen = record(call);
  await assert.rejects(
    call.connect(),
    (error) => error instanceof CallError && error.code === 'connection_failed',
  );
  assert.deepEqual(seen.at(-1), ['ended', { reason: 'error', detail: 'connection_failed' }]);
});

for (const [reason, expected] of [
  [undefined, { reason: 'connection_lost' }],
  [DisconnectReason.ROOM_DELETED, { reason: 'server', detail: 'ROOM_DELETED' }],
  [DisconnectReason.PARTICIPANT_REMOVED, { reason: 'server', detail: 'PARTICIPANT_REMOVED' }],
  [DisconnectReason.AGENT_ERROR, { reason: 'agent', detail: 'AGENT_ERROR' }],
] as const) {
  test(`a disconnect with ${reason === undefined ? 'no reason (reconnection gave up)' : DisconnectReason[reason]} ends ${expected.reason}`, async () => {
    const { call, seen, room, platform } = await startedCall();
    room.emit(RoomEvent.SignalReconnecting);
    room.emit(RoomEvent.Reconnecting);
    room.drop(reason);
    assert.deepEqual(seen.filter(([event]) => event !== 'agentState').slice(1), [
      ['reconnecting', undefined],
      ['ended', expected],
    ]);
    assert.equal(call.state, 'ended');
    assert.equal(platform.mics[0]?.stopped, true);
  });
}

test('ended fires exactly once, whatever follows', async () => {
  const { call, seen, room } = await startedCall();
  await call.end();
  room.drop(DisconnectReason.ROOM_DELETED);
  room.leave(agent());
  await call.end();
  assert.deepEqual(
    seen.filter(([event]) => event === 'ended'),
    [['ended', { reason: 'client' }]],
  );
  await assert.rejects(
    call.connect(),
    (error) => error instanceof CallError && error.code === 'invalid_state',
  );
});

test('end() before connect() ends the call and connect() then refuses', async () => {
  const platform = new FakePlatform();
  const call = callWith(platform);
  const seen = record(call);
  await call.end();
  assert.deepEqual(seen, [['ended', { reason: 'client' }]]);
  await assert.rejects(
    call.connect(),
    (error) => error instanceof CallError && error.code === 'invalid_state',
  );
  assert.deepEqual(platform.mics, []);
});

test('end() while joining leaves the room, stops the microphone and rejects connect() with call_ended', async () => {
  const platform = new FakePlatform();
  platform.nextRoom = (room) => room.holdConnect();
  const call = callWith(platform);
  const seen = record(call);
  const connecting = call.connect();
  await tick();
  await call.end();
  await assert.rejects(connecting, (error) => error instanceof CallError && error.code === 'call_ended');
  assert.deepEqual(seen, [['ended', { reason: 'client' }]]);
  assert.equal(platform.mics[0]?.stopped, true);
  assert.equal(platform.room.disconnects, 1);
  assert.equal(platform.room.textHandlers.size, 0);
});

test('the token endpoint is asked fresh for every call, with the SDK body and the publishable key', async () => {
  const platform = new FakePlatform();
  const options = {
    tokenEndpoint: 'https://t.example/v1/livekit/token',
    publishableKey: 'rtpk_a',
    agent: 'front-desk',
    metadata: { plan: 'pro' },
    participantName: 'Ada',
  };
  for (let i = 0; i < 2; i++) {
    const call = callWith(platform, options as never);
    await call.connect();
    assert.equal(call.callId, 'c9');
    assert.equal(call.roomName, 'webrtc_c9');
    await call.end();
  }
  assert.equal(platform.requests.length, 2);
  const { url, init } = platform.requests[0]!;
  assert.equal(url, 'https://t.example/v1/livekit/token');
  assert.equal(init?.method, 'POST');
  assert.deepEqual(init?.headers, { Authorization: 'Bearer rtpk_a', 'Content-Type': 'application/json' });
  assert.deepEqual(JSON.parse(String(init?.body)), {
    room_config: { agents: [{ agent_name: 'front-desk', metadata: '{"plan":"pro"}' }] },
    participant_name: 'Ada',
  });
  assert.deepEqual(platform.rooms[0]?.connectCalls[0]?.[0], 'wss://lk.example');
});

test("the service's problem answer reaches connect()'s error", async () => {
  const platform = new FakePlatform();
  platform.tokenAnswer = {
    status: 403,
    body: { code: 'origin_not_allowed', detail: 'this origin may not use the key' },
  };
  const call = callWith(platform, {
    tokenEndpoint: 'https://t.example/t',
    publishableKey: 'rtpk_a',
    agent: 'a',
  } as never);
  await assert.rejects(
    call.connect(),
    (error) =>
      error instanceof CallError &&
      error.code === 'token_request_failed' &&
      error.status === 403 &&
      error.problemCode === 'origin_not_allowed',
  );
  assert.deepEqual(platform.rooms, []);
});

test('tools are registered before joining, answer the agent, and are released at the end', async () => {
  const platform = new FakePlatform();
  const call = callWith(platform);
  call.registerTool('get_weather', async (payload) => ({ city: JSON.parse(payload).city, sky: 'clear' }));
  call.registerTool('echo', (payload) => payload);
  assert.throws(() => call.registerTool('echo', () => ''), CallError);
  await call.connect();
  const room = platform.room;
  assert.deepEqual(room.rpcRegisteredAtConnect, ['get_weather', 'echo']);
  const invocation = {
    requestId: 'r1',
    callerIdentity: 'agent-1',
    payload: '{"city":"Oslo"}',
    responseTimeout: 5000,
  };
  assert.equal(await room.rpc.get('get_weather')?.(invocation), '{"city":"Oslo","sky":"clear"}');
  assert.equal(await room.rpc.get('echo')?.(invocation), '{"city":"Oslo"}');
  const remove = call.registerTool('late', () => 'ok');
  assert.ok(room.rpc.has('late'), 'a tool registered mid-call is available at once');
  remove();
  assert.ok(!room.rpc.has('late'));
  await call.end();
  assert.equal(room.rpc.size, 0);
});

test('mute, devices, chat and playback controls', async () => {
  const { call, seen, room, platform } = await startedCall();
  await call.setMuted(true);
  await call.setMuted(true);
  assert.equal(call.isMuted, true);
  assert.equal(platform.mics[0]?.muted, true);
  await call.setInputDevice('mic-2');
  await call.setOutputDevice('speaker-2');
  assert.deepEqual(room.devices, [
    ['audioinput', 'mic-2'],
    ['audiooutput', 'speaker-2'],
  ]);
  await call.sendText('hello agent');
  assert.deepEqual(room.sent, [{ text: 'hello agent', topic: 'lk.chat' }]);
  const reply = new FakeTextStream('m1', {}).write('hello caller').close();
  room.stream('lk.chat', 'agent-1', reply);
  await tick();
  room.canPlaybackAudio = false;
  room.emit(RoomEvent.AudioPlaybackStatusChanged, false);
  room.emit(RoomEvent.AudioPlaybackStatusChanged, false);
  await call.startAudio();
  assert.deepEqual(
    seen.filter(([event]) => ['muted', 'message', 'audioBlocked'].includes(event)),
    [
      ['muted', { muted: true }],
      ['message', { role: 'user', id: 'msg-1', text: 'hello agent', timestamp: 1000 }],
      ['message', { role: 'agent', id: 'm1', text: 'hello caller', timestamp: 1000 }],
      ['audioBlocked', undefined],
    ],
  );
  assert.equal(room.canPlaybackAudio, true);
  await call.end();
});

test('a call set up muted and on chosen devices joins that way', async () => {
  const platform = new FakePlatform();
  const call = callWith(platform, { outputDeviceId: 'speaker-9' });
  await call.setMuted(true);
  await call.connect();
  assert.equal(platform.mics[0]?.muted, true);
  assert.deepEqual(platform.room.devices, [['audiooutput', 'speaker-9']]);
  await call.end();
});

test('playback that the browser blocks from the start is reported once', async () => {
  const platform = new FakePlatform();
  platform.nextRoom = (room) => (room.canPlaybackAudio = false);
  const call = callWith(platform);
  const seen = record(call);
  await call.connect();
  platform.room.emit(RoomEvent.AudioPlaybackStatusChanged, false);
  assert.deepEqual(seen, [['audioBlocked', undefined]]);
  await call.end();
});

test('volume comes at the bounded rate, from the microphone and the agent', async () => {
  const platform = new FakePlatform();
  const call = callWith(platform, { volumeIntervalMs: 20 });
  const levels: unknown[] = [];
  call.on('volume', (level) => levels.push(level));
  await call.connect();
  const room = platform.room;
  const theAgent = agent();
  room.join(theAgent);
  room.emit(RoomEvent.TrackSubscribed, audioTrack('TR_agent'), {}, theAgent);
  await new Promise((resolve) => setTimeout(resolve, 110));
  await call.end();
  const count = levels.length;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(count >= 2 && count <= 6, `${count} volume events in 110 ms at 20 ms`);
  assert.equal(levels.length, count, 'no volume after the end');
  assert.deepEqual(levels[0], { input: 0.25, output: 0.5 });
  const meter = platform.meters[0]!;
  assert.equal(meter.watched.get('input'), platform.mics[0]?.mediaStreamTrack);
  assert.deepEqual(meter.watched.get('output'), { id: 'TR_agent' });
  assert.equal(meter.closed, true);
});

test('twenty calls in a row leave no microphone, element, meter, handler or listener behind', async () => {
  const platform = new FakePlatform();
  for (let i = 0; i < 20; i++) {
    const call = callWith(platform);
    const seen = record(call);
    await call.connect();
    const room = platform.room;
    const theAgent = agent();
    room.join(theAgent);
    room.emit(RoomEvent.TrackSubscribed, audioTrack(`TR_${i}`), {}, theAgent);
    if (i % 2) await call.end();
    else room.leave(theAgent);
    assert.equal(seen.filter(([event]) => event === 'ended').length, 1);
    assert.equal(room.textHandlers.size, 0);
    for (const event of room.eventNames()) assert.equal(room.listenerCount(event), 0, String(event));
  }
  assert.equal(platform.rooms.length, 20);
  assert.ok(platform.mics.every((mic) => mic.stopped));
  assert.equal(platform.playing, 0);
  assert.ok(platform.meters.every((meter) => meter.closed));
  assert.ok(platform.rooms.every((room) => room.disconnects === 1));
});

test('a reconnection is reported once, however livekit-client goes about it, and its end too', async () => {
  const { call, seen, room } = await startedCall();
  room.emit(RoomEvent.SignalReconnecting);
  room.emit(RoomEvent.Reconnecting);
  room.emit(RoomEvent.Reconnected);
  room.emit(RoomEvent.Reconnecting);
  room.emit(RoomEvent.Reconnected);
  assert.deepEqual(
    seen.filter(([event]) => event.startsWith('reconnect')).map(([event]) => event),
    ['reconnecting', 'reconnected', 'reconnecting', 'reconnected'],
  );
  await call.end();
});
