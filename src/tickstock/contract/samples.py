"""The sample message of each channel (declared with the channel in ``channels.py``)."""

from __future__ import annotations

from tickstock.contract.channels import CHANNEL_SPECS, Channel

#: One sample message per channel, as text exactly as printed in the plan (the bars channel,
#: which the plan does not have, as docs/producer-contract.md gives it).
SAMPLES: dict[Channel, str] = {spec.channel: spec.sample for spec in CHANNEL_SPECS}
