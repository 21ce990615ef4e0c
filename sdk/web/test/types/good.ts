// Correct use of the package's public types: this file must compile.
import {
  type Call,
  CallError,
  createCall,
  type EndReason,
  RealtimeTokens,
  type TranscriptEvent,
} from '@realtime-tokens/web';

declare const answer: { server_url: string; client_token: string; room_name: string; call_id: string };

const fromBackend: Call = createCall({ url: answer.server_url, token: answer.client_token });
const fromResponse: Call = RealtimeTokens.createCall(answer);
const noBackend = createCall({
  tokenEndpoint: 'https://tokens.example.com/v1/livekit/token',
  publishableKey: 'rtpk_example',
  agent: 'front-desk',
  metadata: { plan: 'pro', seats: 3, tags: ['a'], nested: { ok: true } },
  participantName: 'Ada',
  agentJoinTimeoutMs: 10_000,
});

const lines = new Map<string, TranscriptEvent>();
fromBackend.on('started', ({ callId, roomName }) => console.log(callId?.toUpperCase(), roomName.length));
fromBackend.on('agentState', ({ state }) => {
  if (state === 'disconnected' || state === 'speaking') console.log(state);
});
fromBackend.on('transcript', (entry) => lines.set(entry.segmentId, entry));
fromBackend.on('message', ({ role, text }) => console.log(role === 'agent' ? text : ''));
fromBackend.on('volume', ({ input, output }) => console.log(input + output));
fromBackend.on('muted', ({ muted }) => console.log(!muted));
fromBackend.on('audioBlocked', () => void fromBackend.startAudio());
const stop: () => void = fromBackend.on('ended', ({ reason, detail }) => {
  const known: EndReason = reason;
  console.log(known, detail ?? '');
});
stop();
fromBackend.on('error', (error) => {
  if (error instanceof CallError && error.code === 'microphone_denied')
    console.log(error.message, error.cause);
});
fromBackend.registerTool('lookup', async (payload, { callerIdentity }) => ({
  payload,
  callerIdentity,
  found: true,
}));

export async function run(): Promise<void> {
  await fromBackend.connect();
  await fromBackend.setMuted(!fromBackend.isMuted);
  await fromBackend.setInputDevice('mic');
  await fromBackend.setOutputDevice('speaker');
  await fromBackend.sendText('hi');
  const state: 'idle' | 'connecting' | 'started' | 'ended' = fromBackend.state;
  console.log(state, fromBackend.callId, fromBackend.roomName, fromBackend.transcript.length);
  await Promise.all([fromResponse.end(), noBackend.end()]);
}
