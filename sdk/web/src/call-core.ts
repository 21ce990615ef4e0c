import { DefaultReconnectPolicy, type RemoteTrack, type RoomOptions, Track } from 'livekit-client';
import { agentStateOf, AGENT_STATE, isAgent, type ParticipantLike } from './agent.js';
import { type Ending, endingOf, isTokenRejection } from './end-reason.js';
import { CallError, messageOf } from './errors.js';
import { type AgentState, type CallState, Emitter, type Role } from './events.js';
import { microphoneError, microphoneOptions } from './microphone.js';
import { type CallConfig, claimsOf } from './options.js';
import { rpcHandler, type ToolHandler } from './tools.js';
import type { LevelMeter, MicrophonePort, Platform, RoomEventsPort, RoomPort } from './room.js';
import { type Credentials, fetchCredentials } from './token-endpoint.js';
import { TRANSCRIPTION_TOPIC, TranscriptAssembler } from './transcript.js';

export const CHAT_TOPIC = 'lk.chat';

export abstract class CallCore<M extends MicrophonePort = MicrophonePort> {
  protected readonly events = new Emitter();
  protected readonly assembler = new TranscriptAssembler((entry) =>
    this.whenStarted(() => this.events.emit('transcript', entry)),
  );
  protected readonly abort = new AbortController();
  protected readonly tools = new Map<string, ToolHandler>();
  protected readonly playing = new Map<RemoteTrack, () => void>();
  protected readonly pending: Array<() => void> = [];
  protected current: CallState = 'idle';
  protected connecting: Promise<void> | undefined;
  protected disconnecting: Promise<void> = Promise.resolve();
  protected room: RoomPort<M> | undefined;
  protected mic: M | undefined;
  protected meter: LevelMeter | undefined;
  protected agent: ParticipantLike | undefined;
  protected agentOutput: MediaStreamTrack | undefined;
  protected joined = false;
  protected published = false;
  protected blocked = false;
  protected reconnecting = false;
  protected reportedAgentState: AgentState | undefined;
  protected muted = false;
  protected timers: ReturnType<typeof setTimeout>[] = [];
  protected id: string | null = null;
  protected room_: string | null = null;
  protected inputDeviceId: string | undefined;
  protected outputDeviceId: string | undefined;

  constructor(
    protected readonly config: CallConfig,
    protected readonly platform: Platform<M>,
  ) {
    this.inputDeviceId = config.inputDeviceId;
    this.outputDeviceId = config.outputDeviceId;
    if (config.source.kind === 'token') {
      this.id = config.source.callId;
      this.room_ = config.source.roomName;
    }
  }

  protected async run(): Promise<void> {
    this.current = 'connecting';
    try {
      // the microphone first: a caller who refuses it has not created a call or joined a room
      this.mic = await this.platform
        .createMicrophone(microphoneOptions(this.inputDeviceId))
        .catch((error) => {
          throw microphoneError(error);
        });
      this.ensureOpen();
      if (this.muted) await this.mic.mute();
      const credentials = await this.credentials();
      this.ensureOpen();
      const room = this.platform.createRoom(this.roomOptions());
      this.room = room;
      this.wire(room);
      await room.connect(credentials.url, credentials.token).catch((error) => {
        this.ensureOpen();
        throw isTokenRejection(error)
          ? new CallError('token_rejected', `LiveKit refused the token: ${messageOf(error)}`, {
              cause: error,
            })
          : new CallError('connection_failed', `LiveKit: ${messageOf(error)}`, { cause: error });
      });
      this.joined = true;
      this.ensureOpen();
      await room.localParticipant.publishTrack(this.mic, { source: Track.Source.Microphone });
      this.ensureOpen();
      this.published = true;
      if (this.outputDeviceId !== undefined) await this.switchOutput(room, this.outputDeviceId);
      if (!room.canPlaybackAudio) this.reportBlocked();
      const timeout = this.config.agentJoinTimeoutMs;
      this.timers.push(setTimeout(() => this.finish({ reason: 'agent_unavailable' }), timeout));
      for (const participant of room.remoteParticipants.values()) this.noticeAgent(participant);
      this.maybeStart(); // the agent may have come while the microphone was being published
    } catch (error) {
      throw this.failed(error);
    }
  }

  private failed(error: unknown): CallError {
    if (this.isEnded()) {
      this.mic?.stop();
      return new CallError('call_ended', 'the call ended while connecting', { cause: error });
    }
    const failure =
      error instanceof CallError
        ? error
        : new CallError('connection_failed', messageOf(error), { cause: error });
    this.finish(
      { reason: failure.code === 'token_rejected' ? 'token_rejected' : 'error', detail: failure.code },
      failure,
    );
    return failure;
  }

  private roomOptions(): RoomOptions {
    const delays = this.config.reconnectDelaysMs;
    return {
      adaptiveStream: false,
      dynacast: false,
      stopLocalTrackOnUnpublish: true,
      disconnectOnPageLeave: true,
      audioCaptureDefaults: microphoneOptions(this.inputDeviceId),
      ...(delays ? { reconnectPolicy: new DefaultReconnectPolicy([...delays]) } : {}),
    };
  }

  protected async credentials(): Promise<Credentials> {
    const source = this.config.source;
    if (source.kind === 'token') return { url: source.url, token: source.token, callId: source.callId };
    const credentials = await fetchCredentials(source, this.platform.fetch, this.abort.signal);
    const claims = claimsOf(credentials.token, 'participant_token');
    this.room_ = claims.video?.room ?? null;
    this.id = credentials.callId ?? claims.attributes?.['call_id'] ?? null;
    return credentials;
  }

  protected isEnded(): boolean {
    return this.current === 'ended';
  }

  protected async switchOutput(room: RoomPort<M>, deviceId: string): Promise<void> {
    try {
      await room.switchActiveDevice('audiooutput', deviceId);
    } catch (error) {
      throw new CallError('device_failed', `speaker ${deviceId}: ${messageOf(error)}`, { cause: error });
    }
  }

  protected ensureOpen(): void {
    if (this.isEnded()) throw new CallError('call_ended', 'the call ended while connecting');
  }

  protected readonly handlers: Partial<RoomEventsPort> = {
    disconnected: (reason) => {
      if (this.joined) this.finish(endingOf(reason));
    },
    reconnecting: () => this.reportReconnecting(),
    signalReconnecting: () => this.reportReconnecting(),
    reconnected: () => {
      this.reconnecting = false;
      this.events.emit('reconnected', undefined);
    },
    participantConnected: (participant) => this.noticeAgent(participant),
    participantDisconnected: (participant) => {
      if (participant.identity !== this.agent?.identity) return;
      this.whenStarted(() => this.events.emit('agentState', { state: 'disconnected' }));
      this.agent = undefined;
      this.finish({ reason: 'agent' });
    },
    participantAttributesChanged: (changed, participant) => {
      if (participant.identity === this.agent?.identity && AGENT_STATE in changed) this.reportAgentState();
      else this.noticeAgent(participant);
    },
    trackSubscribed: (track, _publication, participant) => {
      if (track.kind !== Track.Kind.Audio || this.playing.has(track)) return;
      this.playing.set(track, this.platform.play(track));
      if (isAgent(participant)) {
        this.agentOutput = track.mediaStreamTrack;
        this.meter?.watch('output', track.mediaStreamTrack);
      }
    },
    trackUnsubscribed: (track) => {
      this.playing.get(track)?.();
      this.playing.delete(track);
    },
    audioPlaybackChanged: (playing) => {
      if (playing) this.blocked = false;
      else this.reportBlocked();
    },
    mediaDevicesError: (error) => this.events.emit('error', microphoneError(error)),
  };

  protected wire(room: RoomPort<M>): void {
    for (const [event, handler] of Object.entries(this.handlers)) {
      room.on(event as keyof RoomEventsPort, handler as RoomEventsPort[keyof RoomEventsPort]);
    }
    const roleOf = (identity: string): Role =>
      identity === room.localParticipant.identity ? 'user' : 'agent';
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, sender) => {
      void this.assembler.consume(reader, roleOf(sender.identity));
    });
    room.registerTextStreamHandler(CHAT_TOPIC, (reader, sender) => {
      reader.readAll().then(
        (text) => {
          const message = {
            role: roleOf(sender.identity),
            id: reader.info.id,
            text,
            timestamp: reader.info.timestamp,
          };
          this.whenStarted(() => this.events.emit('message', message));
        },
        () => undefined,
      );
    });
    for (const [name, handler] of this.tools) room.registerRpcMethod(name, rpcHandler(handler));
  }

  protected unwire(room: RoomPort<M>): void {
    for (const [event, handler] of Object.entries(this.handlers)) {
      room.off(event as keyof RoomEventsPort, handler as RoomEventsPort[keyof RoomEventsPort]);
    }
    room.unregisterTextStreamHandler(TRANSCRIPTION_TOPIC);
    room.unregisterTextStreamHandler(CHAT_TOPIC);
    for (const name of this.tools.keys()) room.unregisterRpcMethod(name);
  }

  protected noticeAgent(participant: ParticipantLike): void {
    if (this.agent || !isAgent(participant)) return;
    this.agent = participant;
    this.maybeStart();
  }

  /** The agent's state once the call has started (`maybeStart` reports the one it starts in),
   * and then each change: a change seen while connecting is not queued behind it, nor is a
   * state reported twice (livekit-client may announce the state the agent was met in). */
  protected reportAgentState(): void {
    const state = this.agent ? agentStateOf(this.agent) : undefined;
    if (this.current !== 'started' || !state || state === this.reportedAgentState) return;
    this.reportedAgentState = state;
    this.events.emit('agentState', { state });
  }

  /** livekit-client first tries to resume the signalling alone, then a full reconnect: once. */
  protected reportReconnecting(): void {
    if (this.reconnecting) return;
    this.reconnecting = true;
    this.events.emit('reconnecting', undefined);
  }

  protected reportBlocked(): void {
    if (this.blocked) return;
    this.blocked = true;
    this.events.emit('audioBlocked', undefined);
  }

  protected maybeStart(): void {
    if (this.current !== 'connecting' || !this.published || !this.agent) return;
    this.current = 'started';
    for (const timer of this.timers) clearTimeout(timer);
    this.startMeter();
    this.events.emit('started', { callId: this.id, roomName: this.room_ ?? '' });
    this.reportAgentState();
    for (const task of this.pending.splice(0)) task();
  }

  protected whenStarted(task: () => void): void {
    if (this.current === 'started') task();
    else if (this.current === 'connecting') this.pending.push(task);
  }

  protected startMeter(): void {
    const meter = this.platform.createMeter();
    this.meter = meter;
    meter.watch('input', this.mic?.mediaStreamTrack);
    meter.watch('output', this.agentOutput);
    const timer = setInterval(() => {
      if (this.events.count('volume') > 0) this.events.emit('volume', meter.read());
    }, this.config.volumeIntervalMs);
    this.timers.push(timer);
  }

  /** The one way a call ends: everything released first, then `ended`, once. */
  protected finish(ending: Ending, error?: CallError): void {
    if (this.current === 'ended') return;
    this.current = 'ended';
    this.pending.length = 0;
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.meter?.close();
    for (const stop of this.playing.values()) stop();
    this.playing.clear();
    this.mic?.stop();
    const room = this.room;
    if (room) {
      this.unwire(room);
      this.disconnecting = room.disconnect().catch(() => undefined);
    }
    if (error) this.events.emit('error', error);
    this.events.emit('ended', ending);
    this.events.clear();
  }
}
