"""The engine tests' Recorder: what was published before its block ends is what it holds."""

from __future__ import annotations

import redis.asyncio as aioredis
from tests.integration.engine_support import Recorder

from tickstock.contract import Channel

HEALTH = Channel.HEALTH.value


async def test_every_message_published_before_the_block_ends_is_recorded(redis_url: str) -> None:
    producer = aioredis.Redis.from_url(redis_url)
    try:
        async with Recorder(redis_url) as recorder:
            async with producer.pipeline(transaction=False) as pipe:
                for n in range(200):
                    pipe.publish(HEALTH, f"{n:>65536}")  # 13 MB: many reads behind the last reply
                await pipe.execute()
    finally:
        await producer.aclose()
    assert [int(m) for m in recorder.messages[HEALTH]] == list(range(200))


async def test_drain_can_be_asked_again_and_waits_for_the_newest_messages(redis_url: str) -> None:
    producer = aioredis.Redis.from_url(redis_url)
    try:
        async with Recorder(redis_url) as recorder:
            for batch in range(3):
                for n in range(100):
                    await producer.publish(HEALTH, f"{batch}:{n}")
                await recorder.drain()
                assert len(recorder.messages[HEALTH]) == 100 * (batch + 1)
    finally:
        await producer.aclose()
