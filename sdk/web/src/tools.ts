import type { RpcInvocationData } from 'livekit-client';
import type { JsonValue } from './options.js';

export interface ToolInvocation {
  readonly callerIdentity: string;
  readonly requestId: string;
  readonly responseTimeoutMs: number;
}

/**
 * A client-side tool the agent calls over LiveKit RPC: it gets the agent's payload (usually
 * JSON text) and returns the answer (a string as it is, anything else as JSON). A throw
 * reaches the agent as an RPC application error.
 */
export type ToolHandler = (payload: string, invocation: ToolInvocation) => JsonValue | Promise<JsonValue>;

export function rpcHandler(handler: ToolHandler): (data: RpcInvocationData) => Promise<string> {
  return async (data) => {
    const invocation = {
      callerIdentity: data.callerIdentity,
      requestId: data.requestId,
      responseTimeoutMs: data.responseTimeout,
    };
    const result = await handler(data.payload, invocation);
    return typeof result === 'string' ? result : JSON.stringify(result);
  };
}
