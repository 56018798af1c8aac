"""JSON assembled from numpy columns reads back as exactly the numbers and items given."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from tickstock.engine import wire


def test_a_column_reads_back_as_the_same_doubles() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 1e6, 500), rng.normal(0, 1e-9, 500), [0.0, -0.0]])
    assert orjson.loads("[" + ",".join(wire.column(values)) + "]") == values.tolist()
    assert wire.column(np.array([7, 8], dtype=np.int64)) == ["7", "8"]
    assert wire.column(np.array([])) == []


def test_batches_hold_at_most_size_items_in_order() -> None:
    names = [wire.json_text(f"S{i}") for i in range(7)]
    values = wire.column(np.arange(7, dtype=np.float64) / 4)
    payloads = wire.batch_messages(
        '{"type":"t","items":', ('{"s":', ',"v":', "}"), (names, values), 3
    )
    decoded = [orjson.loads(p) for p in payloads]
    assert [len(d["items"]) for d in decoded] == [3, 3, 1]
    items = [item for d in decoded for item in d["items"]]
    assert items == [{"s": f"S{i}", "v": i / 4} for i in range(7)]


def test_single_messages_are_one_item_each() -> None:
    payloads = wire.single_messages('{"type":"a","alert":', ('{"x":', "}"), (["1", "2"],))
    assert [orjson.loads(p) for p in payloads] == [
        {"type": "a", "alert": {"x": 1}},
        {"type": "a", "alert": {"x": 2}},
    ]


def test_mismatched_pieces_are_refused() -> None:
    with pytest.raises(ValueError, match="one more constant"):
        wire.batch_messages("{", ("a",), (["1"],), 5)
    with pytest.raises(ValueError, match="one value per item"):
        wire.single_messages("{", ("a", "b", "c"), (["1"], ["2", "3"]))


def test_a_message_head_is_the_message_text_up_to_its_body_value() -> None:
    head = wire.message_head("streaming_bars", "bars", timeframe="1min", closed=False)
    assert head == '{"type":"streaming_bars","timeframe":"1min","closed":false,"bars":'
    assert orjson.loads(head + "[]}") == {
        "type": "streaming_bars",
        "timeframe": "1min",
        "closed": False,
        "bars": [],
    }
    assert wire.message_head("indicator_alert", "alert") == '{"type":"indicator_alert","alert":'
