import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from domain.errors import StorageError
from domain.webhook_delivery import DeliveryStatus, WebhookDelivery
from entrypoints.container import Container
from entrypoints.metrics import Metrics
from entrypoints.periodic import every

logger = logging.getLogger("realtime_tokens.webhooks")
CAPACITY = 64  # attempts in flight per replica


@dataclass(frozen=True, slots=True)
class DispatchSteps:
    refresh_subscribers: Callable[[], Awaitable[None]]
    relay: Callable[[], Awaitable[int]]
    claim: Callable[[int, Collection[str]], Awaitable[list[WebhookDelivery]]]
    attempt: Callable[[WebhookDelivery], Awaitable[WebhookDelivery]]
    release: Callable[[WebhookDelivery], Awaitable[object]]
    oldest_pending: Callable[[], Awaitable[datetime | None]]
    now: Callable[[], datetime]


def outcome_of(delivery: WebhookDelivery) -> str:
    if delivery.status is DeliveryStatus.PENDING:
        return "retrying"
    return delivery.status.value


@contextlib.asynccontextmanager
async def dispatching(
    steps: DispatchSteps, metrics: Metrics, poll: float, per_endpoint: int
) -> AsyncIterator[None]:
    """Every `poll` seconds (0 = never): learn which tenants have endpoints (the token route
    marks only their calls), relay the calls' outbox into deliveries, then claim
    what is due and send it, at most `per_endpoint` attempts at once per endpoint (an
    endpoint at its bound is not even claimed from, so a slow one holds no other's
    deliveries) and CAPACITY in all. On leaving, attempts in flight finish (each is bounded
    by its timeout)."""
    if poll <= 0:
        yield
        return
    in_flight: Counter[str] = Counter()
    sending: set[asyncio.Task[None]] = set()

    async def send(delivery: WebhookDelivery) -> None:
        began = asyncio.get_running_loop().time()
        try:
            finished = await steps.attempt(delivery)
            elapsed = asyncio.get_running_loop().time() - began
            metrics.observe_webhook_attempt(outcome_of(finished), elapsed)
        except StorageError as error:
            logger.warning(
                "webhook delivery %s: attempt not recorded, its lease will expire: %s",
                delivery.id,
                error,
            )
        except Exception:
            metrics.observe_webhook_attempt("error", asyncio.get_running_loop().time() - began)
            logger.exception(
                "webhook delivery %s: attempt failed unexpectedly, its lease will expire",
                delivery.id,
            )
        finally:
            in_flight[delivery.endpoint_id] -= 1

    async def one_round() -> None:
        await steps.refresh_subscribers()
        await steps.relay()
        room = CAPACITY - len(sending)
        busy = [endpoint for endpoint, n in in_flight.items() if n >= per_endpoint]
        claimed = await steps.claim(room, busy) if room > 0 else []
        for delivery in claimed:
            if in_flight[delivery.endpoint_id] >= per_endpoint:
                await steps.release(delivery)  # claimed in the same batch as others of its endpoint
                continue
            in_flight[delivery.endpoint_id] += 1
            task = asyncio.create_task(send(delivery))
            sending.add(task)
            task.add_done_callback(sending.discard)
        oldest = await steps.oldest_pending()
        age = 0.0 if oldest is None else (steps.now() - oldest).total_seconds()
        metrics.webhook_oldest_pending.set(max(age, 0.0))

    async def guarded_round() -> None:
        try:
            await one_round()
        except StorageError as error:
            logger.warning("webhook dispatch round failed, will retry: %s", error)
        except Exception as error:
            logger.exception("webhook dispatch round failed, will retry: %s", error)

    try:
        async with every(poll, guarded_round, at_once=True):
            yield
    finally:
        await asyncio.gather(*sending, return_exceptions=True)


def dispatch_steps(container: Container) -> DispatchSteps:
    deliveries = container.webhook_deliveries()
    clock = container.clock()

    async def release(delivery: WebhookDelivery) -> bool:
        return await deliveries.schedule(
            delivery.id, clock.now()
        )  # its claim moved it to lease end

    return DispatchSteps(
        refresh_subscribers=container.webhook_subscribers().refresh,
        relay=container.announce_call_events(),
        claim=container.claim_due_deliveries(),
        attempt=container.attempt_delivery(),
        release=release,
        oldest_pending=deliveries.oldest_pending,
        now=clock.now,
    )
