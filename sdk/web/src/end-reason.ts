import { ConnectionError, ConnectionErrorReason, DisconnectReason } from 'livekit-client';
import type { EndReason } from './events.js';

const BY_REASON: Partial<Record<DisconnectReason, EndReason>> = {
  [DisconnectReason.CLIENT_INITIATED]: 'client',
  [DisconnectReason.DUPLICATE_IDENTITY]: 'server',
  [DisconnectReason.SERVER_SHUTDOWN]: 'server',
  [DisconnectReason.PARTICIPANT_REMOVED]: 'server',
  [DisconnectReason.ROOM_DELETED]: 'server',
  [DisconnectReason.ROOM_CLOSED]: 'server',
  [DisconnectReason.STATE_MISMATCH]: 'error',
  [DisconnectReason.JOIN_FAILURE]: 'connection_lost',
  [DisconnectReason.MIGRATION]: 'connection_lost',
  [DisconnectReason.SIGNAL_CLOSE]: 'connection_lost',
  [DisconnectReason.CONNECTION_TIMEOUT]: 'connection_lost',
  [DisconnectReason.MEDIA_FAILURE]: 'connection_lost',
  [DisconnectReason.USER_UNAVAILABLE]: 'error',
  [DisconnectReason.USER_REJECTED]: 'token_rejected',
  [DisconnectReason.SIP_TRUNK_FAILURE]: 'error',
  [DisconnectReason.AGENT_ERROR]: 'agent',
};

export interface Ending {
  readonly reason: EndReason;
  readonly detail?: string;
}

/**
 * A disconnect the page did not ask for. No reason at all is what livekit-client reports
 * when it gives up reconnecting.
 */
export function endingOf(reason: DisconnectReason | undefined): Ending {
  if (reason === undefined || reason === DisconnectReason.UNKNOWN_REASON) {
    return { reason: 'connection_lost' };
  }
  return { reason: BY_REASON[reason] ?? 'error', detail: DisconnectReason[reason] ?? String(reason) };
}

/** Why `room.connect()` failed: a 401/403 from the server is a rejected token. */
export function isTokenRejection(error: unknown): boolean {
  return (
    error instanceof ConnectionError &&
    error.reason === ConnectionErrorReason.NotAllowed &&
    (error.status === 401 || error.status === 403)
  );
}
