import contextlib

from application.issue_token import IssuedToken, IssueRealtimeToken, IssueTokenCommand
from domain.errors import (
    CallAlreadyStored,
    CallNotFound,
    CallOutcomeUnknown,
    DomainError,
    IdempotencyKeyReused,
    IdempotentRequestInFlight,
    StorageError,
)
from domain.idempotency import IdempotencyRecord, request_fingerprint
from domain.ports import Clock, IdempotencyStore
from domain.tenant import Principal


class IssueTokenIdempotently:
    """IssueRealtimeToken behind an Idempotency-Key (Stripe / IETF draft semantics).

    Rules: keys are scoped per tenant and kept 24 hours; without a key nothing changes.
    The first request claims the key together with the id its call will have, then creates
    that call. A retry with the same body gets the same call (same call id and room) and a
    freshly signed token that still expires with the call's original join window; it
    creates nothing. Once that window has passed, the retry is CallExpired (a token would
    be dead on arrival): the caller starts a new call with a new key. The same key with
    another body is IdempotencyKeyReused.
    A claim is released only when the first attempt was refused before anything could be
    stored; otherwise a retry looks for the claimed call: found, it is replayed; not found
    while the first may still run, IdempotentRequestInFlight; not found after 30 s (a
    crashed replica, or a very slow one), the claim is taken over for the same call id. The
    call id is unique, so if the slow attempt stores the call after all, only one of the two
    inserts lands and the other attempt answers from the stored call: one key never stores
    two calls.
    """

    def __init__(self, issue: IssueRealtimeToken, store: IdempotencyStore, clock: Clock) -> None:
        self._issue = issue
        self._store = store
        self._clock = clock

    async def __call__(
        self, principal: Principal, command: IssueTokenCommand, idempotency_key: str | None
    ) -> IssuedToken:
        if idempotency_key is None:
            return await self._issue(principal, command)
        self._issue.check_metadata(command)  # the one check: _first issues it checked
        fingerprint = request_fingerprint(str(command.agent_id), command.metadata)
        claim = IdempotencyRecord.claim(
            principal.tenant_id, idempotency_key, fingerprint, self._clock.now()
        )
        held = await self._store.claim(claim)
        if held is not None and held.expired_at(self._clock.now()):
            await self._store.release(held)
            held = await self._store.claim(claim)
        if held is None:
            return await self._first(principal, command, claim)
        if held.fingerprint != fingerprint:
            raise IdempotencyKeyReused
        return await self._retry(principal, command, held)

    async def _first(
        self, principal: Principal, command: IssueTokenCommand, claim: IdempotencyRecord
    ) -> IssuedToken:
        try:
            issued = await self._issue.issue_checked(principal, command, call_id=claim.call_id)
        except CallAlreadyStored:  # the other attempt of a taken-over claim stored it first
            issued = await self._issue.reissue(principal, claim.call_id)
        except CallOutcomeUnknown:
            raise  # the call may exist: keep the claim, a retry will look for it
        except DomainError:
            await self._store.release(claim)  # refused before anything was stored
            raise
        with contextlib.suppress(StorageError):  # a retry finds the call by the claim's id
            await self._store.complete(claim)
        return issued

    async def _retry(
        self,
        principal: Principal,
        command: IssueTokenCommand,
        held: IdempotencyRecord,
    ) -> IssuedToken:
        try:
            replayed = await self._issue.reissue(principal, held.call_id)
        except CallNotFound:
            if held.completed or not held.abandoned_at(self._clock.now()):
                raise IdempotentRequestInFlight from None
            await self._store.release(held)
            takeover = held.taken_over(self._clock.now())
            if await self._store.claim(takeover) is not None:
                raise IdempotentRequestInFlight from None
            return await self._first(principal, command, takeover)
        if not held.completed:
            await self._store.complete(held)
        return replayed
