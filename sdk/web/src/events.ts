import type { CallError } from './errors.js';

export type AgentState = 'initializing' | 'idle' | 'listening' | 'thinking' | 'speaking';

export type EndReason =
  'client' | 'agent' | 'agent_unavailable' | 'token_rejected' | 'connection_lost' | 'server' | 'error';

export type CallState = 'idle' | 'connecting' | 'started' | 'ended';

export type Role = 'user' | 'agent';

export interface StartedEvent {
  /** The service's call id (`call_id`), or null for a token that does not carry one. */
  readonly callId: string | null;
  readonly roomName: string;
}

export interface AgentStateEvent {
  /** `disconnected` once the agent has left the room. */
  readonly state: AgentState | 'disconnected';
}

export interface TranscriptEvent {
  readonly role: Role;
  /** One entry per segment: later events with the same id replace its text. */
  readonly segmentId: string;
  readonly text: string;
  readonly final: boolean;
}

export interface ChatMessageEvent {
  readonly role: Role;
  readonly id: string;
  readonly text: string;
  readonly timestamp: number;
}

export interface VolumeEvent {
  /** The caller's microphone, 0 to 1. */
  readonly input: number;
  /** The agent's voice, 0 to 1. */
  readonly output: number;
}

export interface MutedEvent {
  readonly muted: boolean;
}

export interface EndedEvent {
  readonly reason: EndReason;
  /** What LiveKit or the failure said, when there is more to say than the reason. */
  readonly detail?: string;
}

/** Every event a call emits, and its payload. */
export interface CallEvents {
  started: StartedEvent;
  agentState: AgentStateEvent;
  transcript: TranscriptEvent;
  message: ChatMessageEvent;
  volume: VolumeEvent;
  muted: MutedEvent;
  reconnecting: void;
  reconnected: void;
  audioBlocked: void;
  ended: EndedEvent;
  error: CallError;
}

export type CallEventName = keyof CallEvents;

export type Listener<K extends CallEventName> = (payload: CallEvents[K]) => void;

type AnyListener = (payload: never) => void;

/** A typed emitter; a listener that throws does not stop the others. */
export class Emitter {
  private readonly listeners = new Map<CallEventName, Set<AnyListener>>();

  on<K extends CallEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends CallEventName>(event: K, listener: Listener<K>): void {
    this.listeners.get(event)?.delete(listener);
  }

  emit<K extends CallEventName>(event: K, payload: CallEvents[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])] as Listener<K>[]) {
      try {
        listener(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  count(event: CallEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  clear(): void {
    this.listeners.clear();
  }
}
