"""The plan's 8 sample payloads, verbatim, pass ``parse``, the CLI and the JSON Schemas."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest
from contract_messages import SAMPLE_FILE_CHANNELS, plan_sample, sample_path, sample_text

from tickstock.contract import ALL_CHANNELS, Channel, parse
from tickstock.contract.channels import OPTIONAL_CHANNELS
from tickstock.contract.samples import SAMPLES

TICKSTOCK = Path(sys.executable).with_name("tickstock")
PLAN = Path(__file__).resolve().parents[4] / "shared" / "seed" / "000_8ae169e7f5d82563.txt"


def tickstock(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a producer author would."""
    return subprocess.run(
        [str(TICKSTOCK), *args], input=stdin, capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(not PLAN.exists(), reason=f"the plan is not beside the repository ({PLAN})")
def test_the_fixtures_are_the_plans_json_blocks_verbatim() -> None:
    blocks = re.findall(r"^[ \t]*```json\n(.*?)^[ \t]*```", PLAN.read_text(), re.S | re.M)
    plan_texts = {textwrap.dedent(block) for block in blocks}
    plan_channels = [channel for channel in Channel if channel not in OPTIONAL_CHANNELS]
    fixture_texts = {sample_path(channel).read_text() for channel in plan_channels}
    assert len(plan_channels) == 8
    assert len(blocks) == 7  # the detected channel reuses the pattern sample
    assert fixture_texts == plan_texts


def test_the_detected_channels_sample_is_the_plans_pattern_sample() -> None:
    detected = sample_path(Channel.PATTERNS_DETECTED).read_text()
    assert detected == sample_path(Channel.PATTERNS_STREAMING).read_text()


@pytest.mark.parametrize("channel", SAMPLE_FILE_CHANNELS)
def test_the_built_in_samples_are_the_plans(channel: Channel) -> None:
    assert SAMPLES[channel] + "\n" == sample_path(channel).read_text()


@pytest.mark.parametrize("channel", list(Channel))
def test_parse_accepts_the_plans_sample_text(channel: Channel) -> None:
    assert parse(channel, sample_text(channel).encode()).type == plan_sample(channel)["type"]


def test_the_cli_accepts_each_plan_sample_file() -> None:
    for channel in SAMPLE_FILE_CHANNELS:
        result = tickstock(
            "contract", "validate", "--channel", channel.value, str(sample_path(channel))
        )
        assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", ""), channel


def test_the_cli_reads_stdin() -> None:
    channel = Channel.ALERTS_CRITICAL
    result = tickstock("contract", "validate", "--channel", channel.value, stdin=SAMPLES[channel])
    assert (result.returncode, result.stdout) == (0, "ok\n")


def test_the_cli_reports_the_bad_line_of_json_lines_by_number_and_field(tmp_path: Path) -> None:
    good = plan_sample(Channel.PATTERNS_STREAMING)
    bad_bar = plan_sample(Channel.PATTERNS_STREAMING)
    bad_bar["detection"]["bar_data"]["volume"] = -5
    lines = [orjson.dumps(m).decode() for m in (good, good, bad_bar, good)]
    lines.insert(2, "")  # blank lines are skipped but still counted
    path = tmp_path / "patterns.jsonl"
    path.write_text("\n".join(lines) + "\n")

    result = tickstock(
        "contract", "validate", "--channel", "tickstock:patterns:streaming", str(path)
    )

    assert result.returncode == 1
    assert result.stdout == "ok\nok\nok\n"
    assert result.stderr.startswith("line 4: detection.bar_data.volume: ")
    assert result.stderr.count("\n") == 1


def test_the_cli_reports_a_line_that_is_not_json_among_good_ones() -> None:
    good = orjson.dumps(plan_sample(Channel.HEALTH)).decode()
    result = tickstock(
        "contract", "validate", "--channel", "tickstock:streaming:health",
        stdin=f"{good}\nnot json\n{good}\n",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == "ok\nok\n"
    assert result.stderr.startswith("line 2: (message): not valid JSON")


def test_the_cli_rejects_a_message_with_the_wrong_type_for_the_channel() -> None:
    result = tickstock(
        "contract", "validate", "--channel", "tickstock:alerts:critical",
        stdin=SAMPLES[Channel.ALERTS_INDICATORS],
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("line 1: type: got 'indicator_alert'")


def test_the_cli_names_every_channel_when_given_an_unknown_one() -> None:
    result = tickstock("contract", "validate", "--channel", "tickstock:patterns:all", stdin="{}")
    assert result.returncode == 2
    assert "tickstock:patterns:all" in result.stderr
    for name in ALL_CHANNELS:
        assert name in result.stderr


def test_the_cli_says_so_when_there_is_nothing_to_validate() -> None:
    result = tickstock(
        "contract", "validate", "--channel", "tickstock:streaming:health", stdin="\n"
    )
    assert result.returncode == 1
    assert "no message" in result.stderr


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[Channel, dict[str, object]]:
    out = tmp_path_factory.mktemp("schemas")
    result = tickstock("contract", "schema", "--out", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(out.iterdir())
    assert len(files) == len(Channel)
    assert result.stdout.splitlines() == [
        str(out / f"{c.value.replace(':', '.')}.schema.json") for c in Channel
    ]
    return {
        channel: orjson.loads((out / f"{channel.value.replace(':', '.')}.schema.json").read_bytes())
        for channel in Channel
    }


@pytest.fixture(scope="module")
def jsonschema():  # type: ignore[no-untyped-def]
    return pytest.importorskip("jsonschema", reason="jsonschema is not installed")


@pytest.mark.parametrize("channel", list(Channel))
def test_each_schema_file_is_a_valid_json_schema(channel, schemas, jsonschema) -> None:  # type: ignore[no-untyped-def]
    schema = schemas[channel]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"urn:tickstock:{channel.value}"


@pytest.mark.parametrize("channel", list(Channel))
def test_each_plan_sample_validates_against_its_schema(channel, schemas, jsonschema) -> None:  # type: ignore[no-untyped-def]
    jsonschema.Draft202012Validator(schemas[channel]).validate(plan_sample(channel))


def test_the_schemas_reject_what_the_contract_rejects(schemas, jsonschema) -> None:  # type: ignore[no-untyped-def]
    validator = jsonschema.Draft202012Validator(schemas[Channel.PATTERNS_DETECTED])
    low = plan_sample(Channel.PATTERNS_DETECTED)
    low["detection"]["confidence"] = 0.5
    lowercase = plan_sample(Channel.PATTERNS_DETECTED)
    lowercase["detection"]["symbol"] = "nvda"
    batch = {
        "type": "streaming_patterns_batch",
        "detections": [plan_sample(Channel.PATTERNS_DETECTED)["detection"]] * 51,
    }
    for message in (low, lowercase, batch, plan_sample(Channel.HEALTH)):
        assert not validator.is_valid(message)


def test_the_samples_command_prints_a_valid_message_per_channel(schemas, jsonschema) -> None:  # type: ignore[no-untyped-def]
    result = tickstock("contract", "samples")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert [line.removeprefix("# ") for line in lines[0::2]] == list(ALL_CHANNELS)
    for header, body in zip(lines[0::2], lines[1::2], strict=True):
        channel = Channel(header.removeprefix("# "))
        parse(channel, body)
        jsonschema.Draft202012Validator(schemas[channel]).validate(orjson.loads(body))


def test_the_samples_command_prints_one_channel_on_request() -> None:
    result = tickstock("contract", "samples", "--channel", "tickstock:alerts:critical")
    assert result.returncode == 0
    assert parse(Channel.ALERTS_CRITICAL, result.stdout).type == "critical_alert"
