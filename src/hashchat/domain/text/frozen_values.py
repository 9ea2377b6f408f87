"""Create frozen slots dataclasses at the pace of a hot path.

A frozen dataclass's generated `__init__` assigns every field through `object.__setattr__`
(its own `__setattr__` refuses), which makes creating one cost about twice as much as the
assignments themselves. The text rules create one to three values per post, for tens of
thousands of posts a second, so they assign the slots through their descriptors instead.
The result is the same value: equality, hashing, repr and immutability are untouched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

SlotSetter = Callable[[Any, Any], None]


def slot_setters(cls: type) -> tuple[SlotSetter, ...]:
    """The descriptor setters of a slots dataclass's fields, in field order.

    Refuses classes where skipping `__init__` would change the result: without slots, with
    defaults or with a `__post_init__`.
    """
    fields = dataclasses.fields(cls)
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} needs slots and no __post_init__")
    if any(
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
        for field in fields
    ):
        raise TypeError(f"{cls.__name__} has defaults that __init__ would fill in")
    return tuple(cls.__dict__[field.name].__set__ for field in fields)
