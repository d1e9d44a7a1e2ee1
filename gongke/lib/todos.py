"""What to do next (待办): every app adds its own kinds of to-do, the home page lists them.

An app registers a provider once, in its AppConfig.ready():

    from gongke.lib import todos

    @todos.provider("community")
    def community_todos(user) -> list[todos.Todo]:
        n = alerts_for(user, Alert.objects.filter(handled_at__isnull=True)).count()
        return [todos.Todo(_("%(n)s fever alerts to handle") % {"n": n}, reverse(...), n,
                           urgent=True)] if n else []

A provider reads through its app's access helpers (it sees only what the user may see), costs a
fixed few queries, and returns nothing when there is nothing to do. The home page calls
`todos_for(user)`: urgent ones first, then in the order the providers were registered.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Todo:
    label: str  # a sentence in the user's language: "3 fever alerts to handle"
    url: str  # where it is done
    count: int | None = None
    urgent: bool = False
    area: str = ""  # the provider's name, set by todos_for


Provider = Callable[[Any], Iterable[Todo]]
_providers: dict[str, Provider] = {}


def register(name: str, fn: Provider) -> Provider:
    """Add (or replace: a module reloaded in tests registers again) the provider `name`."""
    _providers[name] = fn
    return fn


def provider(name: str) -> Callable[[Provider], Provider]:
    return lambda fn: register(name, fn)


def providers() -> dict[str, Provider]:
    return dict(_providers)


def todos_for(user: Any) -> list[Todo]:
    found = [
        Todo(t.label, t.url, t.count, t.urgent, name)
        for name, fn in _providers.items()
        for t in fn(user)
    ]
    return sorted(found, key=lambda t: not t.urgent)  # stable: registration order otherwise
