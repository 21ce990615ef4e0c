import { CallCore, CHAT_TOPIC } from './call-core.js';
import { CallError, messageOf, requireString } from './errors.js';
import type { CallEventName, CallState, Listener, TranscriptEvent } from './events.js';
import type { MicrophonePort } from './room.js';

import { rpcHandler, type ToolHandler } from './tools.js';

export type { ToolHandler, ToolInvocation } from './tools.js';

/** One voice call with an agent. Single use: after `ended`, create another. */
export interface Call {
  readonly state: CallState;
  readonly callId: string | null;
  readonly roomName: string | null;
  readonly isMuted: boolean;
  /** Every transcript segment so far, in order, each as last reported. */
  readonly transcript: readonly TranscriptEvent[];
  on<K extends CallEventName>(event: K, listener: Listener<K>): () => void;
  off<K extends CallEventName>(event: K, listener: Listener<K>): void;
  connect(): Promise<void>;
  end(): Promise<void>;
  setMuted(muted: boolean): Promise<void>;
  setInputDevice(deviceId: string): Promise<void>;
  setOutputDevice(deviceId: string): Promise<void>;
  startAudio(): Promise<void>;
  sendText(text: string): Promise<void>;
  registerTool(name: string, handler: ToolHandler): () => void;
}

export class CallSession<M extends MicrophonePort = MicrophonePort> extends CallCore<M> implements Call {
  get state(): CallState {
    return this.current;
  }
  get callId(): string | null {
    return this.id;
  }
  get roomName(): string | null {
    return this.room_;
  }
  get isMuted(): boolean {
    return this.muted;
  }
  get transcript(): readonly TranscriptEvent[] {
    return this.assembler.entries;
  }

  on<K extends CallEventName>(event: K, listener: Listener<K>): () => void {
    if (this.current === 'ended') return () => undefined;
    return this.events.on(event, listener);
  }

  off<K extends CallEventName>(event: K, listener: Listener<K>): void {
    this.events.off(event, listener);
  }

  connect(): Promise<void> {
    if (this.current === 'ended') {
      return Promise.reject(new CallError('invalid_state', 'this call has ended: create a new one'));
    }
    this.connecting ??= this.run();
    return this.connecting;
  }

  async end(): Promise<void> {
    this.finish({ reason: 'client' });
    await this.disconnecting;
  }

  async setMuted(muted: boolean): Promise<void> {
    if (typeof muted !== 'boolean')
      throw new CallError('invalid_options', 'setMuted: `muted` must be a boolean', { option: 'muted' });
    if (muted === this.muted || this.current === 'ended') return;
    this.muted = muted;
    if (this.mic) await (muted ? this.mic.mute() : this.mic.unmute());
    this.events.emit('muted', { muted });
  }

  async setInputDevice(deviceId: string): Promise<void> {
    requireString(deviceId, 'deviceId');
    this.inputDeviceId = deviceId;
    try {
      if (this.room && this.published) await this.room.switchActiveDevice('audioinput', deviceId);
      else if (this.mic) await this.mic.setDeviceId(deviceId);
    } catch (error) {
      throw new CallError('device_failed', `microphone ${deviceId}: ${messageOf(error)}`, { cause: error });
    }
    this.meter?.watch('input', this.mic?.mediaStreamTrack);
  }

  async setOutputDevice(deviceId: string): Promise<void> {
    requireString(deviceId, 'deviceId');
    this.outputDeviceId = deviceId;
    if (this.room && this.joined) await this.switchOutput(this.room, deviceId);
  }

  async startAudio(): Promise<void> {
    try {
      await Promise.all([this.room?.startAudio(), this.meter?.resume()]);
    } catch (error) {
      throw new CallError('playback_failed', `audio playback: ${messageOf(error)}`, { cause: error });
    }
    this.blocked = false;
  }

  async sendText(text: string): Promise<void> {
    requireString(text, 'text');
    const room = this.room;
    if (!room || !this.joined || this.current === 'ended') {
      throw new CallError('invalid_state', 'sendText: the call is not connected');
    }
    let sent: { id: string; timestamp: number };
    try {
      sent = await room.localParticipant.sendText(text, { topic: CHAT_TOPIC });
    } catch (error) {
      throw new CallError('send_failed', `sendText: ${messageOf(error)}`, { cause: error });
    }
    this.whenStarted(() =>
      this.events.emit('message', { role: 'user', id: sent.id, text, timestamp: sent.timestamp }),
    );
  }

  registerTool(name: string, handler: ToolHandler): () => void {
    requireString(name, 'name');
    if (typeof handler !== 'function')
      throw new CallError('invalid_options', 'registerTool: `handler` must be a function', {
        option: 'handler',
      });
    if (this.current === 'ended') throw new CallError('invalid_state', 'registerTool: the call has ended');
    if (this.tools.has(name))
      throw new CallError('invalid_state', `registerTool: "${name}" is already registered`);
    this.tools.set(name, handler);
    this.room?.registerRpcMethod(name, rpcHandler(handler));
    return () => {
      if (this.tools.get(name) !== handler) return;
      this.tools.delete(name);
      this.room?.unregisterRpcMethod(name);
    };
  }
}
