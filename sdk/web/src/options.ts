import { decodeTokenPayload } from 'livekit-client';
import { invalidOption } from './errors.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Settings every way of starting a call accepts. */
export interface CommonCallOptions {
  /** How long to wait for the agent to join once connected; default 20 000. */
  agentJoinTimeoutMs?: number;
  /** The microphone to use (a `deviceId` from `navigator.mediaDevices.enumerateDevices()`). */
  inputDeviceId?: string;
  /** The speaker to play the agent on, where the browser supports `setSinkId`. */
  outputDeviceId?: string;
  /** How often `volume` fires while the call runs; default 100, at least 16. */
  volumeIntervalMs?: number;
  /** Delays between reconnection attempts before the call ends `connection_lost`; LiveKit's by default. */
  reconnectDelaysMs?: readonly number[];
}

/** What your backend got from `POST /v1/realtime/token`, as two fields. */
export interface TokenCallOptions extends CommonCallOptions {
  url: string;
  token: string;
}

/** The whole `POST /v1/realtime/token` answer, as your backend passed it on. */
export interface RealtimeTokenResponse {
  server_url: string;
  client_token: string;
  room_name?: string;
  call_id?: string;
  participant_identity?: string;
  expires_at?: string;
}

export type ResponseCallOptions = RealtimeTokenResponse & CommonCallOptions;

/** A page with no backend: this service's LiveKit token endpoint and a publishable key. */
export interface EndpointCallOptions extends CommonCallOptions {
  /** `https://…/v1/livekit/token` (relative URLs resolve against the page). */
  tokenEndpoint: string;
  /** `rtpk_…`: made to ship in page source, bound to your origins. */
  publishableKey: string;
  /** The agent's dispatch name. */
  agent: string;
  metadata?: { [key: string]: JsonValue };
  participantName?: string;
}

export type CallOptions = TokenCallOptions | ResponseCallOptions | EndpointCallOptions;

export type CredentialSource =
  | { kind: 'token'; url: string; token: string; callId: string | null; roomName: string }
  | {
      kind: 'endpoint';
      endpoint: string;
      publishableKey: string;
      agent: string;
      metadata: { [key: string]: JsonValue } | undefined;
      participantName: string | undefined;
    };

export interface CallConfig {
  source: CredentialSource;
  agentJoinTimeoutMs: number;
  volumeIntervalMs: number;
  inputDeviceId: string | undefined;
  outputDeviceId: string | undefined;
  reconnectDelaysMs: readonly number[] | undefined;
}

type Raw = Record<string, unknown>;

const COMMON = [
  'agentJoinTimeoutMs',
  'inputDeviceId',
  'outputDeviceId',
  'volumeIntervalMs',
  'reconnectDelaysMs',
];
const TOKEN_KEYS = new Set(['url', 'token', ...COMMON]);
const ENDPOINT_KEYS = new Set([
  'tokenEndpoint',
  'publishableKey',
  'agent',
  'metadata',
  'participantName',
  ...COMMON,
]);

export function parseOptions(options: unknown): CallConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidOption('options', 'an object');
  }
  const raw = options as Raw;
  return {
    source: sourceOf(raw),
    agentJoinTimeoutMs: number(raw, 'agentJoinTimeoutMs', 20_000, 1),
    volumeIntervalMs: number(raw, 'volumeIntervalMs', 100, 16),
    inputDeviceId: optionalString(raw, 'inputDeviceId'),
    outputDeviceId: optionalString(raw, 'outputDeviceId'),
    reconnectDelaysMs: delays(raw),
  };
}

function sourceOf(raw: Raw): CredentialSource {
  if ('tokenEndpoint' in raw) {
    rejectUnknown(raw, ENDPOINT_KEYS);
    return endpointSource(raw);
  }
  if ('server_url' in raw || 'client_token' in raw) {
    return tokenSource(raw, 'server_url', 'client_token', raw['call_id']);
  }
  rejectUnknown(raw, TOKEN_KEYS);
  return tokenSource(raw, 'url', 'token', undefined);
}

function rejectUnknown(raw: Raw, known: Set<string>): void {
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw invalidOption(key, 'left out: it is not an option of createCall');
  }
}

function tokenSource(raw: Raw, urlKey: string, tokenKey: string, callId: unknown): CredentialSource {
  const url = requiredString(raw, urlKey);
  if (!/^(wss?|https?):\/\//i.test(url))
    throw invalidOption(urlKey, 'a ws://, wss://, http:// or https:// URL');
  const token = requiredString(raw, tokenKey);
  const claims = claimsOf(token, tokenKey);
  const fromToken = claims.attributes?.['call_id'];
  const id = typeof callId === 'string' && callId ? callId : fromToken;
  return { kind: 'token', url, token, callId: id ?? null, roomName: claims.video?.room ?? '' };
}

export function claimsOf(token: string, option: string): ReturnType<typeof decodeTokenPayload> {
  try {
    const claims = decodeTokenPayload(token);
    if (!claims.video?.room) throw new Error('no room');
    return claims;
  } catch {
    throw invalidOption(option, 'a LiveKit access token (a JWT with a room grant)');
  }
}

function endpointSource(raw: Raw): CredentialSource {
  const endpoint = requiredString(raw, 'tokenEndpoint');
  let resolved: URL;
  try {
    resolved = new URL(endpoint, globalThis.location?.href);
  } catch {
    throw invalidOption('tokenEndpoint', 'an http:// or https:// URL');
  }
  if (resolved.protocol !== 'https:' && resolved.protocol !== 'http:') {
    throw invalidOption('tokenEndpoint', 'an http:// or https:// URL');
  }
  const publishableKey = requiredString(raw, 'publishableKey');
  if (publishableKey.startsWith('rtk_')) {
    throw invalidOption('publishableKey', 'a publishable key (rtpk_…): a secret key never belongs in a page');
  }
  const metadata = raw['metadata'];
  if (
    metadata !== undefined &&
    (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
  ) {
    throw invalidOption('metadata', 'a JSON object');
  }
  return {
    kind: 'endpoint',
    endpoint: resolved.href,
    publishableKey,
    agent: requiredString(raw, 'agent'),
    metadata: metadata as { [key: string]: JsonValue } | undefined,
    participantName: optionalString(raw, 'participantName'),
  };
}

function requiredString(raw: Raw, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value.trim() === '') throw invalidOption(key, 'a non-empty string');
  return value;
}

function optionalString(raw: Raw, key: string): string | undefined {
  return raw[key] === undefined ? undefined : requiredString(raw, key);
}

function number(raw: Raw, key: string, fallback: number, min: number): number {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalidOption(key, `a finite number of at least ${min}`);
  }
  return value;
}

function delays(raw: Raw): readonly number[] | undefined {
  const value = raw['reconnectDelaysMs'];
  if (value === undefined) return undefined;
  const valid =
    Array.isArray(value) &&
    value.every((delay) => typeof delay === 'number' && Number.isFinite(delay) && delay >= 0);
  if (!valid) throw invalidOption('reconnectDelaysMs', 'an array of non-negative numbers');
  return [...(value as number[])];
}
