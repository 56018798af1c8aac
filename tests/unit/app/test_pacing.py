"""Pacing: G stays at its minimum at light rates and grows with a busy stream's rate."""

from __future__ import annotations

import pytest

from tickstock.app.pacing import RATE_WINDOW_SECONDS, Pacing


def paced_at(rate: float, pacing: Pacing) -> Pacing:
    """``pacing`` after one window of ``rate`` events per second."""
    pacing.update(100.0)
    for _ in range(round(rate * RATE_WINDOW_SECONDS)):
        pacing.count()
    pacing.update(100.0 + RATE_WINDOW_SECONDS)
    return pacing


@pytest.mark.parametrize("rate", [0, 50, 150, 200])
def test_at_one_event_per_minimum_interval_or_less_g_is_the_minimum(rate):
    assert paced_at(rate, Pacing(0.005, 0.010)).interval(50) == 0.005


@pytest.mark.parametrize(("rate", "interval"), [(300, 0.0075), (400, 0.010), (2000, 0.010)])
def test_a_busier_stream_gets_a_longer_interval_up_to_the_maximum(rate, interval):
    assert paced_at(rate, Pacing(0.005, 0.010)).interval(50) == pytest.approx(interval)


def test_without_a_maximum_g_does_not_grow():
    assert paced_at(2000, Pacing(0.005)).interval(1) == 0.005


def test_the_frame_budget_stretches_g_when_many_clients_are_busy():
    pacing = paced_at(500, Pacing(0.005, 0.010, frame_budget=10_000))
    assert pacing.interval(50) == 0.010
    assert pacing.interval(200) == 200 / 10_000


def test_the_rate_is_that_of_the_last_complete_window():
    pacing = Pacing(0.005, 0.010)
    pacing.update(0.0)
    for _ in range(100):
        pacing.count()
    pacing.update(RATE_WINDOW_SECONDS / 2)
    assert pacing.rate == 0.0, "a window is not closed before its end"
    pacing.update(RATE_WINDOW_SECONDS)
    assert pacing.rate == pytest.approx(100 / RATE_WINDOW_SECONDS)
    pacing.update(2 * RATE_WINDOW_SECONDS)
    assert pacing.rate == 0.0, "a quiet window brings G back to its minimum"


def test_clients_share_one_slot_grid():
    pacing = Pacing(0.010)
    assert pacing.next_slot(300.02, 1) == pytest.approx(300.03)
    assert pacing.next_slot(300.021, 1) == pytest.approx(300.03)
