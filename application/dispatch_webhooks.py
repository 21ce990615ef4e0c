import logging
import time
from collections.abc import Collection
from datetime import timedelta

from application.webhook_targets import WebhookTargets
from domain.errors import InvalidWebhookUrl, UnreadableRecord
from domain.ports import Clock, WebhookDeliveryRepository, WebhookEndpointRepository, WebhookSender
from domain.webhook_delivery import Attempt, RetrySchedule, SendOutcome, WebhookDelivery
from domain.webhook_endpoint import WebhookEndpoint
from domain.webhook_signature import signed_headers

logger = logging.getLogger("realtime_tokens.webhooks")
DISABLE_AFTER = timedelta(days=5)  # Svix disables an endpoint after five days of failures


class ClaimDueDeliveries:
    """Due deliveries, each leased to this replica by one conditional update for `lease`
    (longer than an attempt can last): no other replica sends it meanwhile, and one killed
    mid-send leaves it to the others when the lease ends, due again only then, behind what
    fell due meanwhile. A batch is shared across tenants, one of each in turn. A call's later
    event waits while an earlier one of the same call to the same endpoint has no answered
    attempt yet, so an endpoint hears a call's events in order unless a retry intervenes."""

    def __init__(
        self, deliveries: WebhookDeliveryRepository, clock: Clock, lease: timedelta
    ) -> None:
        self._deliveries = deliveries
        self._clock = clock
        self._lease = lease

    async def __call__(
        self, limit: int, busy_endpoints: Collection[str] = ()
    ) -> list[WebhookDelivery]:
        now = self._clock.now()
        return await self._deliveries.claim_due(now, now + self._lease, limit, busy_endpoints)


class AttemptDelivery:
    """One attempt of a claimed delivery. Rules, in order: an endpoint deleted or disabled
    since fails the delivery for good (a retry over HTTP sends it again once re-enabled); an
    endpoint the store holds but cannot read is a failed attempt, retried on the schedule;
    the endpoint's host is resolved and checked again (a DNS answer may have changed since
    registration), a refusal being a failed attempt; the body is signed now with every
    current secret and sent to the checked address; a 2xx is delivered, a 410 disables the
    endpoint and fails the delivery, anything else is retried on the schedule until its
    last delay, then failed. Whatever else goes wrong in the attempt (an exception of the
    resolver, the signer or the sender) is a failed attempt too, logged once with the
    delivery id. An endpoint whose every attempt has failed for `disable_after` is disabled.
    The result is stored only while this replica still holds the claim."""

    def __init__(
        self,
        deliveries: WebhookDeliveryRepository,
        endpoints: WebhookEndpointRepository,
        targets: WebhookTargets,
        sender: WebhookSender,
        clock: Clock,
        schedule: RetrySchedule,
        disable_after: timedelta = DISABLE_AFTER,
    ) -> None:
        self._deliveries = deliveries
        self._endpoints = endpoints
        self._targets = targets
        self._sender = sender
        self._clock = clock
        self._schedule = schedule
        self._disable_after = disable_after

    async def __call__(self, delivery: WebhookDelivery) -> WebhookDelivery:
        try:
            endpoint = await self._endpoints.get(delivery.endpoint_id)
        except UnreadableRecord:
            unreadable = Attempt(at=self._clock.now(), latency_ms=0, error="endpoint unreadable")
            finished = delivery.after_attempt(unreadable, self._schedule)
            await self._deliveries.finish_attempt(finished)
            return finished
        started = self._clock.now()
        if endpoint is None or endpoint.disabled:
            why = "endpoint deleted" if endpoint is None else "endpoint disabled"
            finished = delivery.abandoned(Attempt(at=started, latency_ms=0, error=why))
        else:
            begun = time.perf_counter()
            outcome = await self._send(delivery, endpoint)
            latency_ms = round((time.perf_counter() - begun) * 1000)
            attempt = Attempt(started, latency_ms, outcome.status_code, outcome.error)
            finished = delivery.after_attempt(attempt, self._schedule)
            await self._follow(endpoint, attempt)
        await self._deliveries.finish_attempt(finished)
        return finished

    async def _send(self, delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> SendOutcome:
        try:
            addresses = await self._targets.addresses(endpoint.url)
            now = self._clock.now()
            headers = signed_headers(
                delivery.event_id, delivery.body, endpoint.signing_secrets(now), now
            )
            return await self._sender.post(endpoint.url, addresses[0], delivery.body, headers)
        except InvalidWebhookUrl as refused:
            return SendOutcome(error=f"refused: {refused}")
        except Exception as error:  # one attempt's failure, never the loop's
            logger.warning(
                "webhook delivery %s: attempt failed with %s",
                delivery.id,
                type(error).__name__,
                exc_info=True,
            )
            return SendOutcome(error=type(error).__name__)

    async def _follow(self, endpoint: WebhookEndpoint, attempt: Attempt) -> None:
        """Disable on 410 or a failing streak of `disable_after`; start or end the streak."""
        if attempt.gone:
            when = attempt.at.isoformat()
            await self._endpoints.disable(endpoint.id, f"the receiver answered 410 Gone at {when}")
        elif attempt.succeeded:
            if endpoint.failing_since is not None:
                await self._endpoints.note_failing(endpoint.id, None)
        elif endpoint.failing_since is None:
            await self._endpoints.note_failing(endpoint.id, attempt.at)
        elif endpoint.failing_for(attempt.at) >= self._disable_after:
            since = endpoint.failing_since.isoformat()
            await self._endpoints.disable(endpoint.id, f"every attempt failed since {since}")
