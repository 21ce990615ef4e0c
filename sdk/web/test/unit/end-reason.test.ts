import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionError, DisconnectReason } from 'livekit-client';
import { endingOf, isTokenRejection } from '../../src/end-reason.js';

test("LiveKit's disconnect reasons map to the call's end reasons", () => {
  const expected: [DisconnectReason | undefined, string][] = [
    [undefined, 'connection_lost'],
    [DisconnectReason.UNKNOWN_REASON, 'connection_lost'],
    [DisconnectReason.CLIENT_INITIATED, 'client'],
    [DisconnectReason.DUPLICATE_IDENTITY, 'server'],
    [DisconnectReason.SERVER_SHUTDOWN, 'server'],
    [DisconnectReason.PARTICIPANT_REMOVED, 'server'],
    [DisconnectReason.ROOM_DELETED, 'server'],
    [DisconnectReason.ROOM_CLOSED, 'server'],
    [DisconnectReason.STATE_MISMATCH, 'error'],
    [DisconnectReason.JOIN_FAILURE, 'connection_lost'],
    [DisconnectReason.MIGRATION, 'connection_lost'],
    [DisconnectReason.SIGNAL_CLOSE, 'connection_lost'],
    [DisconnectReason.CONNECTION_TIMEOUT, 'connection_lost'],
    [DisconnectReason.MEDIA_FAILURE, 'connection_lost'],
    [DisconnectReason.USER_UNAVAILABLE, 'error'],
    [DisconnectReason.USER_REJECTED, 'token_rejected'],
    [DisconnectReason.SIP_TRUNK_FAILURE, 'error'],
    [DisconnectReason.AGENT_ERROR, 'agent'],
    [99 as DisconnectReason, 'error'],
  ];
  for (const [reason, mapped] of expected) assert.equal(endingOf(reason).reason, mapped, String(reason));
  assert.deepEqual(endingOf(DisconnectReason.ROOM_DELETED), { reason: 'server', detail: 'ROOM_DELETED' });
});

test('a 401 or 403 while joining is a rejected token; other failures are not', () => {
  assert.ok(isTokenRejection(ConnectionError.notAllowed('invalid token', 401)));
  assert.ok(isTokenRejection(ConnectionError.notAllowed('no permission', 403)));
  assert.ok(!isTokenRejection(ConnectionError.notAllowed('requested room does not exist', 404)));
  assert.ok(!isTokenRejection(ConnectionError.timeout('timed out')));
  assert.ok(!isTokenRejection(new Error('401')));
});
