"""Contract messages assembled as JSON text from numpy columns (``engine.wire``).

The minute close's hot path builds its messages here without one Python object per item;
the first message of each kind is parsed with the contract (``checked``) so a shape error
fails loudly at once — cut to its first item when the caller can (a 250-bar message took
~3 ms to parse at every close; the same shape with one bar, ~0.03 ms). Used by the pipeline
(patterns, closed bars) and the forming bars.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tickstock.contract import MAX_BARS_BATCH, MAX_BATCH, Channel, message_types, parse
from tickstock.engine import wire
from tickstock.engine.bars import ClosedBars
from tickstock.engine.publisher import Outgoing

TIMEFRAME = "1min"
OHLC = ("open", "high", "low", "close")

_PATTERN_HEAD = wire.message_head(message_types.PATTERN, "detection")
_PATTERNS_BATCH_HEAD = wire.message_head(message_types.PATTERNS_BATCH, "detections")
#: closed -> the head of a ``streaming_bars`` message
_BARS_HEAD = {
    closed: wire.message_head(message_types.BARS, "bars", timeframe=TIMEFRAME, closed=closed)
    for closed in (False, True)
}


def checked(channel: Channel, payloads: list[bytes], *samples: bytes) -> list[Outgoing]:
    """``payloads`` to publish, after the contract parsed the first one, or the ``samples``:
    a message's head with its first item only, the same shape at a fraction of the cost."""
    if payloads:
        for sample in samples or payloads[:1]:
            parse(channel, sample)  # a shape error fails loudly, at once
    name = channel.value  # an Enum attribute is slow to read: once, not once a message
    return [Outgoing(name, payload) for payload in payloads]


def first_item(head: str, texts: Sequence[str]) -> bytes:
    """The message of ``head`` with only the first of ``texts``, to check its shape."""
    return wire.batches_of_texts(head, texts[:1], 1)[0]


def bar_messages(
    symbol_json: Sequence[str],
    bars: ClosedBars,
    selected: np.ndarray,
    stamp: str,
    *,
    closed: bool,
    previous: np.ndarray | None = None,
) -> list[Outgoing]:
    """``streaming_bars`` messages (≤ 250 bars each) for the ``selected`` symbols' bars."""
    index = np.flatnonzero(selected)
    if index.size == 0:
        return []
    known = np.zeros(index.size, dtype=np.bool_)
    if previous is not None:
        known = np.isfinite(previous[index])
    head = _BARS_HEAD[closed]
    payloads: list[bytes] = []
    samples: list[bytes] = []  # the first bar of each shape (with and without previous_close)
    for group, with_previous in ((index[~known], False), (index[known], True)):
        if group.size == 0:
            continue
        constants = [
            '{"symbol":',
            f',"timestamp":"{stamp}","open":',
            ',"high":',
            ',"low":',
            ',"close":',
            ',"volume":',
        ]
        columns = [
            [symbol_json[i] for i in group.tolist()],
            *(wire.column(getattr(bars, k)[group]) for k in OHLC),
            wire.column(np.rint(bars.volume[group]).astype(np.int64)),
        ]
        if with_previous and previous is not None:
            constants.append(',"previous_close":')
            columns.append(wire.column(previous[group]))
        constants.append("}")
        payloads.extend(wire.batch_messages(head, constants, columns, MAX_BARS_BATCH))
        samples.extend(wire.batch_messages(head, constants, [c[:1] for c in columns], 1))
    return checked(Channel.BARS_STREAMING, payloads, *samples)


def pattern_messages(channel: Channel, texts: Sequence[str]) -> list[Outgoing]:
    """One ``streaming_pattern`` for a single detection, batches of ≤ 50 for several."""
    if not texts:
        return []
    if len(texts) == 1:
        payloads = [(_PATTERN_HEAD + texts[0] + "}").encode()]
        return checked(channel, payloads)
    payloads = wire.batches_of_texts(_PATTERNS_BATCH_HEAD, texts, MAX_BATCH)
    return checked(channel, payloads, first_item(_PATTERNS_BATCH_HEAD, texts))
