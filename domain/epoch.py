"""Moments as whole milliseconds since the Unix epoch: what cursors, sort keys, outbox marks
and delivery due times store and compare."""

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def epoch_millis(moment: datetime) -> int:
    return (moment - EPOCH) // _MILLISECOND


def from_epoch_millis(millis: int) -> datetime:
    return EPOCH + timedelta(milliseconds=millis)
