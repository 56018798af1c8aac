"""docs/configuration.md, generated from ``Settings`` (``tickstock config docs``)."""

from __future__ import annotations

from tickstock.env_names import variable_of
from tickstock.settings import Settings


def settings_table_markdown() -> str:
    """The Markdown table of every setting, its default and meaning (docs/configuration.md)."""
    lines = [
        "# Configuration",
        "",
        "Generated from `src/tickstock/settings.py` by `tickstock config docs`; do not edit by hand.",
        "Every setting is read from the environment first, then from `.env`, then this default.",
        "A bad value stops the program at start with a message naming the variable.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "(unset)" if default is None else f"`{default}`"
        if isinstance(default, bool):
            shown = f"`{str(default).lower()}`"
        lines.append(f"| `{variable_of(Settings, name)}` | {shown} | {field.description or ''} |")
    return "\n".join(lines) + "\n"
