"""A small typed registry of named implementations (approaches, extractors, embedders).

Registering returns the object unchanged so it stays importable and testable. Names are the
user-facing ones the CLI and pages show. Must not scan directories or use entry points.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, overload

from moodtune.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    @overload
    def register(self, name: str) -> Callable[[T], T]: ...
    @overload
    def register(self, name: str, func: T) -> T: ...
    def register(self, name: str, func: T | None = None) -> Callable[[T], T] | T:
        """Register `func` under `name`, directly or as a decorator; a second name raises."""

        def add(obj: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} is already registered.")
            self._items[name] = obj
            return obj

        if func is not None:
            return add(func)
        return add

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(
                f"Unknown {self.kind} {name!r}. Available: {', '.join(self.names())}."
            ) from None

    def names(self) -> list[str]:
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items
