import type {
  AudioCaptureOptions,
  RoomEventCallbacks,
  RemoteParticipant,
  RemoteTrack,
  RoomOptions,
  RpcInvocationData,
  TextStreamReader,
} from 'livekit-client';

/**
 * What a call uses of livekit-client's `Room`, its tracks and the browser, so that the unit
 * tests can hand it a fake; `createCall` hands it the real ones (checked by the compiler in
 * browser.ts).
 */
export interface MicrophonePort {
  readonly mediaStreamTrack: MediaStreamTrack;
  mute(): Promise<unknown>;
  unmute(): Promise<unknown>;
  setDeviceId(deviceId: ConstrainDOMString): Promise<boolean>;
  stop(): void;
}

/** The room events a call listens to, exactly as livekit-client types them. */
export type RoomEventsPort = Pick<
  RoomEventCallbacks,
  | 'disconnected'
  | 'reconnecting'
  | 'signalReconnecting'
  | 'reconnected'
  | 'participantConnected'
  | 'participantDisconnected'
  | 'participantAttributesChanged'
  | 'trackSubscribed'
  | 'trackUnsubscribed'
  | 'audioPlaybackChanged'
  | 'mediaDevicesError'
>;

export type TextStreamHandlerPort = (reader: TextStreamReader, sender: { identity: string }) => void;

export interface RoomPort<M extends MicrophonePort = MicrophonePort> {
  readonly localParticipant: {
    readonly identity: string;
    publishTrack(track: M, options?: { source?: string }): Promise<unknown>;
    sendText(text: string, options?: { topic?: string }): Promise<{ id: string; timestamp: number }>;
  };
  readonly remoteParticipants: ReadonlyMap<string, RemoteParticipant>;
  readonly canPlaybackAudio: boolean;
  on<E extends keyof RoomEventsPort>(event: E, listener: RoomEventsPort[E]): unknown;
  off<E extends keyof RoomEventsPort>(event: E, listener: RoomEventsPort[E]): unknown;
  connect(url: string, token: string): Promise<void>;
  disconnect(stopTracks?: boolean): Promise<void>;
  registerTextStreamHandler(topic: string, handler: TextStreamHandlerPort): void;
  unregisterTextStreamHandler(topic: string): void;
  registerRpcMethod(method: string, handler: (data: RpcInvocationData) => Promise<string>): void;
  unregisterRpcMethod(method: string): void;
  startAudio(): Promise<void>;
  switchActiveDevice(kind: MediaDeviceKind, deviceId: string): Promise<boolean | undefined | void>;
}

/** Levels of the caller's microphone and of the agent's voice, 0 to 1. */
export interface LevelMeter {
  watch(which: 'input' | 'output', track: MediaStreamTrack | undefined): void;
  read(): { input: number; output: number };
  resume(): Promise<void>;
  close(): void;
}

export interface Platform<M extends MicrophonePort = MicrophonePort> {
  createRoom(options: RoomOptions): RoomPort<M>;
  createMicrophone(options: AudioCaptureOptions): Promise<M>;
  fetch: typeof fetch;
  /** Plays a remote audio track; the function returned stops it and removes its element. */
  play(track: RemoteTrack): () => void;
  createMeter(): LevelMeter;
}
