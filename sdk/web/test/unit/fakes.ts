import { EventEmitter } from 'node:events';
import {
  ConnectionError,
  DisconnectReason,
  ParticipantKind,
  RoomEvent,
  type RemoteParticipant,
  type RemoteTrack,
  type RpcInvocationData,
  type TextStreamReader,
} from 'livekit-client';
import { CallSession } from '../../src/call.js';
import { type CallOptions, parseOptions } from '../../src/options.js';
import type {
  LevelMeter,
  MicrophonePort,
  Platform,
  RoomPort,
  TextStreamHandlerPort,
} from '../../src/room.js';

/** A LiveKit access token as the service signs it (unsigned here: only its claims are read). */
export function token(room = 'webrtc_c1', callId: string | undefined = 'c1'): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    sub: 'caller_c1',
    exp: 4102444800,
    video: { room, roomJoin: true },
    attributes: callId ? { call_id: callId } : {},
  };
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.c2ln`;
}

export class FakeMic implements MicrophonePort {
  readonly mediaStreamTrack = { kind: 'audio', id: 'mic' } as MediaStreamTrack;
  muted = false;
  stopped = false;
  deviceId: ConstrainDOMString | undefined;
  async mute() {
    this.muted = true;
  }
  async unmute() {
    this.muted = false;
  }
  async setDeviceId(deviceId: ConstrainDOMString) {
    this.deviceId = deviceId;
    return true;
  }
  stop() {
    this.stopped = true;
  }
}

interface Rpc {
  (data: RpcInvocationData): Promise<string>;
}

/** livekit-client's Room as far as a call uses it, driven by the test. */
export class FakeRoom extends EventEmitter implements RoomPort<FakeMic> {
  readonly published: FakeMic[] = [];
  readonly sent: { text: string; topic: string | undefined }[] = [];
  readonly textHandlers = new Map<string, TextStreamHandlerPort>();
  readonly rpc = new Map<string, Rpc>();
  readonly devices: [MediaDeviceKind, string][] = [];
  readonly remoteParticipants = new Map<string, RemoteParticipant>();
  readonly localParticipant = {
    identity: '',
    publishTrack: async (track: FakeMic) => {
      this.onPublish();
      this.published.push(track);
    },
    sendText: async (text: string, options?: { topic?: string }) => {
      this.sent.push({ text, topic: options?.topic });
      return { id: `msg-${this.sent.length}`, timestamp: 1000 };
    },
  };
  canPlaybackAudio = true;
  onPublish: () => void = () => undefined;
  connectError: Error | undefined;
  connectCalls: [string, string][] = [];
  rpcRegisteredAtConnect: string[] = [];
  disconnects = 0;
  private connected = false;
  private connectGate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  holdConnect(): void {
    this.connectGate = new Promise((resolve) => (this.openGate = resolve));
  }
  releaseConnect(): void {
    this.openGate?.();
  }

  async connect(url: string, token: string): Promise<void> {
    this.connectCalls.push([url, token]);
    this.rpcRegisteredAtConnect = [...this.rpc.keys()];
    await this.connectGate;
    if (this.connectError) throw this.connectError;
    if (this.disconnects > 0) throw ConnectionError.cancelled('Client initiated disconnect');
    this.connected = true;
    this.localParticipant.identity = 'caller_c1';
  }
  async disconnect(): Promise<void> {
    this.disconnects += 1;
    this.openGate?.();
    this.drop(DisconnectReason.CLIENT_INITIATED);
  }
  /** The server or the network ends the connection. */
  drop(reason?: DisconnectReason): void {
    if (!this.connected) return;
    this.connected = false;
    this.emit(RoomEvent.Disconnected, reason);
  }
  registerTextStreamHandler(topic: string, handler: TextStreamHandlerPort): void {
    if (this.textHandlers.has(topic)) throw new Error(`a handler for ${topic} is already set`);
    this.textHandlers.set(topic, handler);
  }
  unregisterTextStreamHandler(topic: string): void {
    this.textHandlers.delete(topic);
  }
  registerRpcMethod(method: string, handler: Rpc): void {
    if (this.rpc.has(method)) throw new Error(`rpc ${method} is already registered`);
    this.rpc.set(method, handler);
  }
  unregisterRpcMethod(method: string): void {
    this.rpc.delete(method);
  }
  async startAudio(): Promise<void> {
    this.canPlaybackAudio = true;
  }
  async switchActiveDevice(kind: MediaDeviceKind, deviceId: string) {
    this.devices.push([kind, deviceId]);
    return true;
  }

  join(participant: RemoteParticipant): void {
    this.remoteParticipants.set(participant.identity, participant);
    this.emit(RoomEvent.ParticipantConnected, participant);
  }
  leave(participant: RemoteParticipant): void {
    this.remoteParticipants.delete(participant.identity);
    this.emit(RoomEvent.ParticipantDisconnected, participant);
  }
  setAttributes(participant: RemoteParticipant, changed: Record<string, string>): void {
    Object.assign(participant.attributes, changed);
    this.emit(RoomEvent.ParticipantAttributesChanged, changed, participant);
  }
  stream(topic: string, sender: string, stream: FakeTextStream): void {
    const handler = this.textHandlers.get(topic);
    if (handler) handler(stream as unknown as TextStreamReader, { identity: sender });
  }
}

/** A text stream the test writes to: chunks, then a trailer whose attributes merge into info. */
export class FakeTextStream implements AsyncIterable<string> {
  readonly info: { id: string; topic: string; timestamp: number; attributes: Record<string, string> };
  private readonly chunks: string[] = [];
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(id: string, attributes: Record<string, string>) {
    this.info = { id, topic: 'lk.transcription', timestamp: 1000, attributes: { ...attributes } };
  }
  write(text: string): this {
    this.chunks.push(text);
    this.wake?.();
    return this;
  }
  close(trailer: Record<string, string> = {}): this {
    this.info.attributes = { ...this.info.attributes, ...trailer };
    this.closed = true;
    this.wake?.();
    return this;
  }
  async readAll(): Promise<string> {
    let text = '';
    for await (const chunk of this) text += chunk;
    return text;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) yield chunk;
      else if (this.closed) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

export function participant(
  identity: string,
  kind: ParticipantKind = ParticipantKind.AGENT,
  attributes: Record<string, string> = {},
): RemoteParticipant {
  return { identity, kind, attributes: { ...attributes } } as unknown as RemoteParticipant;
}

export function audioTrack(sid: string): RemoteTrack {
  return { kind: 'audio', sid, mediaStreamTrack: { id: sid } } as unknown as RemoteTrack;
}

export class FakePlatform implements Platform<FakeMic> {
  readonly rooms: FakeRoom[] = [];
  readonly mics: FakeMic[] = [];
  readonly requests: { url: string; init: RequestInit | undefined }[] = [];
  readonly meters: { watched: Map<string, MediaStreamTrack | undefined>; closed: boolean }[] = [];
  micError: Error | undefined;
  playing = 0;
  tokenAnswer: { status: number; body: unknown } = {
    status: 201,
    body: { server_url: 'wss://lk.example', participant_token: token('webrtc_c9', 'c9'), call_id: 'c9' },
  };
  nextRoom: (room: FakeRoom) => void = () => undefined;

  createRoom = () => {
    const room = new FakeRoom();
    this.rooms.push(room);
    this.nextRoom(room);
    return room;
  };
  createMicrophone = async () => {
    if (this.micError) throw this.micError;
    const mic = new FakeMic();
    this.mics.push(mic);
    return mic;
  };
  fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    this.requests.push({ url: String(input), init });
    const { status, body } = this.tokenAnswer;
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  play = () => {
    this.playing += 1;
    return () => {
      this.playing -= 1;
    };
  };
  createMeter = (): LevelMeter => {
    const meter = { watched: new Map<string, MediaStreamTrack | undefined>(), closed: false };
    this.meters.push(meter);
    return {
      watch: (which, track) => void meter.watched.set(which, track),
      read: () => ({ input: 0.25, output: 0.5 }),
      resume: async () => undefined,
      close: () => void (meter.closed = true),
    };
  };
  get room(): FakeRoom {
    const room = this.rooms.at(-1);
    if (!room) throw new Error('no room yet');
    return room;
  }
}

export function callWith(platform: FakePlatform, options: Partial<CallOptions> = {}): CallSession<FakeMic> {
  const base = (
    'tokenEndpoint' in options ? options : { url: 'wss://lk.example', token: token(), ...options }
  ) as CallOptions;
  return new CallSession(parseOptions(base), platform);
}

/** Every event a call emitted, in order, as [name, payload]. */
export function record(call: CallSession<FakeMic>): [string, unknown][] {
  const seen: [string, unknown][] = [];
  const names = [
    'started',
    'agentState',
    'transcript',
    'message',
    'muted',
    'reconnecting',
    'reconnected',
    'audioBlocked',
    'ended',
    'error',
  ] as const;
  for (const name of names) call.on(name, (payload: unknown) => seen.push([name, payload]));
  return seen;
}

export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
