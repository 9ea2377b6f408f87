"""Create frozen slots dataclasses at the pace of a hot path.

A frozen dataclass's generated `__init__` assigns every field through `object.__setattr__`
(its own `__setattr__` refuses), which makes creating one cost several times what the
assignments themselves cost. The text rules create three to six values per post, for tens of
thousands of posts a second, so they fill a *draft* instead: an instance of a plain class with
the very same slots (`mutable_twin`), whose fields are set by plain attribute assignment (a
specialised bytecode, no call), and which then becomes an instance of the frozen class by
assigning its `__class__` (Python allows it between classes of the same layout, and checks
that they are). The result is the same value: its type, equality, hashing, repr and
immutability are the frozen class's own.

Used by the text rules and by the X archive reader (a million `ForeignPost`s an import).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def mutable_twin(cls: type, *, caller_sets_defaults: bool = False) -> type[Any]:
    """A plain class with the slots of the frozen slots dataclass `cls`, in field order.

    Fill an instance field by field, then assign `cls` to its `__class__`: the value equals
    `cls(*fields)`. Refuses classes where skipping `__init__` would change the result
    (without slots, with defaults or with a `__post_init__`) and classes whose layout the
    twin cannot share (a slot that is not a field, a base with slots of its own). With
    `caller_sets_defaults`, fields with defaults are allowed: the caller sets them too, and
    checks once, at import, that its drafts equal the constructor's values.
    """
    fields = dataclasses.fields(cls)
    if "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} needs slots and no __post_init__")
    if not caller_sets_defaults and any(
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
        for field in fields
    ):
        raise TypeError(f"{cls.__name__} has defaults that __init__ would fill in")
    names = tuple(field.name for field in fields)
    if tuple(cls.__dict__["__slots__"]) != names or cls.__bases__ != (object,):
        raise TypeError(f"{cls.__name__}'s slots are not exactly its fields")
    twin = type(f"_{cls.__name__}Draft", (), {"__slots__": names, "__module__": cls.__module__})
    probe = twin()
    for name in names:
        setattr(probe, name, None)
    probe.__class__ = cls  # raises TypeError now, at import, if the layouts differ
    return twin
