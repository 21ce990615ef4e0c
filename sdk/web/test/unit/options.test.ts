import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallError } from '../../src/errors.js';
import { parseOptions } from '../../src/options.js';
import { token } from './fakes.js';

function refused(options: unknown): CallError {
  try {
    parseOptions(options);
  } catch (error) {
    assert.ok(error instanceof CallError);
    assert.equal(error.code, 'invalid_options');
    return error;
  }
  assert.fail('the options were accepted');
}

test('url and token: the room and the call id come from the token', () => {
  const config = parseOptions({ url: 'wss://lk.example', token: token('webrtc_c1', 'c1') });
  assert.deepEqual(config.source, {
    kind: 'token',
    url: 'wss://lk.example',
    token: token('webrtc_c1', 'c1'),
    callId: 'c1',
    roomName: 'webrtc_c1',
  });
  assert.equal(config.agentJoinTimeoutMs, 20_000);
  assert.equal(config.volumeIntervalMs, 100);
});

test('the whole POST /v1/realtime/token answer is accepted, extra fields and all', () => {
  const answer = {
    client_token: token('webrtc_c2', undefined),
    room_name: 'webrtc_c2',
    server_url: 'wss://lk.example',
    call_id: 'c2',
    participant_identity: 'caller_c2',
    expires_at: '2030-01-01T00:00:00Z',
    some_future_field: true,
  };
  const source = parseOptions(answer).source;
  assert.equal(source.kind, 'token');
  assert.equal(source.kind === 'token' && source.callId, 'c2');
  assert.equal(source.kind === 'token' && source.url, 'wss://lk.example');
});

test('the token endpoint with a publishable key', () => {
  const config = parseOptions({
    tokenEndpoint: 'https://tokens.example/v1/livekit/token',
    publishableKey: 'rtpk_abc',
    agent: 'front-desk',
    metadata: { plan: 'pro' },
    participantName: 'Ada',
    agentJoinTimeoutMs: 5000,
  });
  assert.deepEqual(config.source, {
    kind: 'endpoint',
    endpoint: 'https://tokens.example/v1/livekit/token',
    publishableKey: 'rtpk_abc',
    agent: 'front-desk',
    metadata: { plan: 'pro' },
    participantName: 'Ada',
  });
  assert.equal(config.agentJoinTimeoutMs, 5000);
});

test('each bad option is named in the error', () => {
  const endpoint = {
    tokenEndpoint: 'https://t.example/v1/livekit/token',
    publishableKey: 'rtpk_a',
    agent: 'a',
  };
  const cases: [unknown, string][] = [
    [null, 'options'],
    ['wss://lk.example', 'options'],
    [{ token: token() }, 'url'],
    [{ url: 'wss://lk.example' }, 'token'],
    [{ url: 'ftp://lk.example', token: token() }, 'url'],
    [{ url: 'wss://lk.example', token: 'not-a-jwt' }, 'token'],
    [{ url: 'wss://lk.example', token: token(), agentJoinTimeoutMs: 0 }, 'agentJoinTimeoutMs'],
    [{ url: 'wss://lk.example', token: token(), agentJoinTimeoutMs: Number.NaN }, 'agentJoinTimeoutMs'],
    [{ url: 'wss://lk.example', token: token(), volumeIntervalMs: 1 }, 'volumeIntervalMs'],
    [{ url: 'wss://lk.example', token: token(), reconnectDelaysMs: [100, -1] }, 'reconnectDelaysMs'],
    [{ url: 'wss://lk.example', token: token(), inputDeviceId: 7 }, 'inputDeviceId'],
    [{ url: 'wss://lk.example', token: token(), agentJoinTimeout: 5 }, 'agentJoinTimeout'],
    [{ server_url: 'wss://lk.example' }, 'client_token'],
    [{ ...endpoint, tokenEndpoint: 'ws://t.example' }, 'tokenEndpoint'],
    [{ ...endpoint, tokenEndpoint: 'not a url' }, 'tokenEndpoint'],
    [{ ...endpoint, publishableKey: '' }, 'publishableKey'],
    [{ ...endpoint, publishableKey: 'rtk_secret' }, 'publishableKey'],
    [{ ...endpoint, agent: undefined }, 'agent'],
    [{ ...endpoint, metadata: [1] }, 'metadata'],
    [{ ...endpoint, participantName: '' }, 'participantName'],
    [{ ...endpoint, url: 'wss://lk.example' }, 'url'],
  ];
  for (const [options, option] of cases) {
    const error = refused(options);
    assert.equal(error.option, option, JSON.stringify(options));
    assert.match(error.message, new RegExp(`\`${option}\``));
  }
});
