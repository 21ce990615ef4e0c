import { CallError, messageOf } from './errors.js';
import type { CredentialSource } from './options.js';

export interface Credentials {
  readonly url: string;
  readonly token: string;
  readonly callId: string | null;
}

type EndpointSource = Extract<CredentialSource, { kind: 'endpoint' }>;

/**
 * LiveKit's standard token request (`TokenSource.endpoint`'s body), sent fresh for every
 * call: an agent is dispatched only into a room its join creates, so a token is never reused.
 */
export async function fetchCredentials(
  source: EndpointSource,
  fetcher: typeof fetch,
  signal: AbortSignal,
): Promise<Credentials> {
  const agent: Record<string, string> = { agent_name: source.agent };
  if (source.metadata !== undefined) agent['metadata'] = JSON.stringify(source.metadata);
  const body: Record<string, unknown> = { room_config: { agents: [agent] } };
  if (source.participantName !== undefined) body['participant_name'] = source.participantName;
  let response: Response;
  try {
    response = await fetcher(source.endpoint, {
      method: 'POST',
      headers: { Authorization: `Bearer ${source.publishableKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    throw new CallError('token_request_failed', `token endpoint: ${messageOf(error)}`, { cause: error });
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const code = typeof answer['code'] === 'string' ? answer['code'] : undefined;
    const detail = typeof answer['detail'] === 'string' ? answer['detail'] : response.statusText;
    throw new CallError('token_request_failed', `token endpoint: ${response.status} ${detail}`, {
      status: response.status,
      ...(code === undefined ? {} : { problemCode: code }),
    });
  }
  const url = answer['server_url'];
  const token = answer['participant_token'];
  if (typeof url !== 'string' || typeof token !== 'string') {
    throw new CallError(
      'token_request_failed',
      'token endpoint: no server_url or participant_token in the answer',
    );
  }
  const callId = answer['call_id'];
  return { url, token, callId: typeof callId === 'string' ? callId : null };
}
