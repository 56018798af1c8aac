"""RecoveryRing: bounded by count and age, exact replay after any held cursor."""

import pytest

from tickstock.app.ring import RecoveryRing


def filled(count: int, max_events: int = 100, max_age: float = 60.0) -> RecoveryRing:
    ring = RecoveryRing(max_events, max_age)
    for seq in range(1, count + 1):
        ring.append(seq, float(seq), f"e{seq}")
    return ring


def test_replay_after_a_cursor_returns_exactly_the_missed_events_in_order():
    ring = filled(10)
    assert ring.since(6, 100) == ["e7", "e8", "e9", "e10"]
    assert ring.since(0, 3) == ["e1", "e2", "e3"]
    assert ring.since(10, 100) == []


def test_count_bound_drops_the_oldest_and_old_cursors_are_no_longer_held():
    ring = filled(5000, max_events=100)
    assert len(ring) == 100
    assert ring.first_seq == 4901
    assert ring.holds_after(4900)
    assert not ring.holds_after(4899)
    assert ring.since(4950, 3) == ["e4951", "e4952", "e4953"]
    assert ring.received_at(4951) == 4951.0
    with pytest.raises(KeyError):
        ring.received_at(4900)


def test_age_bound_drops_events_older_than_the_window():
    ring = filled(10, max_age=5.0)
    ring.expire(now=12.0)
    assert ring.first_seq == 7
    assert not ring.holds_after(5)
    assert ring.holds_after(6)


def test_a_cursor_ahead_of_the_ring_is_not_held():
    ring = filled(3)
    assert not ring.holds_after(4)
    assert ring.holds_after(3)


def test_sequence_numbers_must_be_consecutive():
    ring = filled(3)
    with pytest.raises(ValueError):
        ring.append(5, 5.0, "gap")


def test_empty_ring_holds_only_the_current_cursor():
    ring = RecoveryRing(10, 10.0)
    assert ring.holds_after(0)
    assert ring.since(0, 5) == []
    ring.expire(1000.0)
    ring.append(1, 1000.0, "x")
    ring.expire(2000.0)
    assert len(ring) == 0 and ring.first_seq == 2 and ring.holds_after(1)


def test_held_events_add_nothing_for_the_garbage_collector_to_traverse():
    """50,000 held events must not lengthen every full collection (the relay's p99)."""
    import gc

    ring = filled(10)
    assert not any(gc.is_tracked(item) for item in (*ring.since(0, 100), ring.received_at(1)))


def test_dropped_events_are_released_at_once_not_at_the_next_compaction():
    ring = filled(1500, max_events=1000)  # 500 dropped: fewer than a compaction needs
    assert ring.first_seq == 501
    assert sum(1 for text in ring._encoded if text) == 1000


def test_conflation_keys_stay_aligned_with_their_events_across_compaction():
    ring = RecoveryRing(max_events=100, max_age_seconds=600.0)
    for seq in range(1, 3001):
        ring.append(seq, 0.0, f"e{seq}", key=f"k{seq % 3}" if seq % 2 else None)
    assert ring.keys_since(2990, 10) == [
        f"k{seq % 3}" if seq % 2 else None for seq in range(2991, 3001)
    ]
    events, superseded, end = ring.frame_since(2990, 10)
    assert superseded == [2991, 2993], "k0 and k2 come again at 2997 and 2999"
    assert events == [f"e{seq}" for seq in range(2991, 3001) if seq not in (2991, 2993)]
    assert end == 3000


def test_a_superseded_event_is_left_out_of_every_later_frame_and_its_text_released():
    ring = RecoveryRing(max_events=1000, max_age_seconds=600.0)
    ring.append(1, 0.0, "forming-1", key="bars:forming:1min")
    ring.append(2, 0.0, "closed")
    assert ring.frame_since(0, 10) == (["forming-1", "closed"], [], 2)
    ring.append(3, 0.0, "forming-2", key="bars:forming:1min")
    assert ring.frame_since(0, 2) == (["closed"], [1], 2), "superseded beyond this frame too"
    assert ring.frame_since(0, 10) == (["closed", "forming-2"], [1], 3)
    assert ring.is_superseded(1) and not ring.is_superseded(3) and not ring.is_superseded(2)
    assert ring._encoded[ring._index(1)] == "", "nobody will be sent it: its text is released"
