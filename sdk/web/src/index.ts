import { browserPlatform } from './browser.js';
import { type Call, CallSession } from './call.js';
import { CallError } from './errors.js';
import { type CallOptions, parseOptions } from './options.js';

/**
 * A call with a voice agent: `createCall({ url, token })` with what `POST /v1/realtime/token`
 * answered (or that whole answer), or `createCall({ tokenEndpoint, publishableKey, agent })`
 * for a page with no backend. Bad options throw a `CallError` (`invalid_options`) at once.
 */
export function createCall(options: CallOptions): Call {
  return new CallSession(parseOptions(options), browserPlatform);
}

/** The namespace form: `RealtimeTokens.createCall(...)`, as the script-tag build's global. */
export const RealtimeTokens = { createCall, CallError } as const;

export { CallError };
export type { Call } from './call.js';
export type { ToolHandler, ToolInvocation } from './tools.js';
export type { CallErrorCode } from './errors.js';
export type {
  AgentState,
  AgentStateEvent,
  CallEventName,
  CallEvents,
  CallState,
  ChatMessageEvent,
  EndedEvent,
  EndReason,
  Listener,
  MutedEvent,
  Role,
  StartedEvent,
  TranscriptEvent,
  VolumeEvent,
} from './events.js';
export type {
  CallOptions,
  CommonCallOptions,
  EndpointCallOptions,
  JsonValue,
  RealtimeTokenResponse,
  ResponseCallOptions,
  TokenCallOptions,
} from './options.js';
