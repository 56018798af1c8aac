"""``tickstock contract``: validate messages, export JSON Schemas, print samples."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from tickstock.contract.channels import ALL_CHANNELS, Channel, channel_from_name
from tickstock.contract.parse import parse
from tickstock.contract.samples import SAMPLES
from tickstock.contract.schema import write_schemas
from tickstock.errors import ContractError


def register(subparsers: argparse._SubParsersAction) -> None:
    contract = subparsers.add_parser(
        "contract", help="the producer contract: validate, schema, samples"
    )
    actions = contract.add_subparsers(dest="contract_command", metavar="ACTION", required=True)

    validate = actions.add_parser(
        "validate", help="validate one JSON message, or JSON lines, read from FILE or stdin"
    )
    validate.add_argument("--channel", required=True, help="one of: " + ", ".join(ALL_CHANNELS))
    validate.add_argument("file", nargs="?", default="-", help="a file, or - for stdin")
    validate.set_defaults(handler=_validate)

    schema = actions.add_parser("schema", help="write one JSON Schema file per channel")
    schema.add_argument("--out", type=Path, required=True, help="output directory")
    schema.set_defaults(handler=_schema)

    samples = actions.add_parser("samples", help="print a valid sample message per channel")
    samples.add_argument("--channel", help="only this channel")
    samples.set_defaults(handler=_samples)


def _channel_or_usage(name: str) -> Channel | None:
    try:
        return channel_from_name(name)
    except ValueError as exc:
        print(f"tickstock contract: {exc}", file=sys.stderr)
        return None


def _validate(args: argparse.Namespace) -> int:
    channel = _channel_or_usage(args.channel)
    if channel is None:
        return 2
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"tickstock contract: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    messages = _split_messages(text)
    if not messages:
        print("tickstock contract: no message to validate", file=sys.stderr)
        return 1
    failures = 0
    for line_no, raw in messages:
        try:
            parse(channel, raw)
        except ContractError as exc:
            failures += 1
            field = exc.field or "(message)"
            print(f"line {line_no}: {field}: {exc.reason}", file=sys.stderr)
        else:
            print("ok")
    return 1 if failures else 0


def _split_messages(text: str) -> list[tuple[int, str]]:
    """One (pretty-printed) JSON document, or JSON lines (one message per non-blank line).

    JSON lines as soon as one line on its own is a JSON object: a bad line among good ones
    is then reported by its own number instead of failing the whole file as one document.
    """
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) <= 1 or _is_json(text) or not any(_is_json_object(line) for _, line in lines):
        return [(lines[0][0], text.strip())] if lines else []
    return lines


def _is_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _schema(args: argparse.Namespace) -> int:
    for path in write_schemas(args.out):
        print(path)
    return 0


def _samples(args: argparse.Namespace) -> int:
    if args.channel:
        channel = _channel_or_usage(args.channel)
        if channel is None:
            return 2
        print(_one_line(SAMPLES[channel]))
        return 0
    for channel, sample in SAMPLES.items():
        print(f"# {channel.value}")
        print(_one_line(sample))
    return 0


def _one_line(sample: str) -> str:
    return orjson.dumps(orjson.loads(sample)).decode()
