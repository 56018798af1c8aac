"""Each setting's environment variable: its field's ``validation_alias``, named once."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel


def env(name: str) -> AliasChoices:
    """The alias that reads a field from the environment variable ``name``."""
    return AliasChoices(name)


def variable_of(model: type[BaseModel], name: str) -> str:
    """The environment variable of ``model``'s field ``name`` (the name itself if none)."""
    field = model.model_fields.get(name)
    if field is not None and isinstance(field.validation_alias, AliasChoices):
        return str(field.validation_alias.choices[0])
    return name
