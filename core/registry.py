"""Registries: how a lower app hears of a higher one without importing it (STYLE rule 11).

The lower app keeps a registry; the higher app fills it from its `AppConfig.ready`."""

from collections.abc import Callable
from typing import Any


class Registry(list):
    """What the apps above fill in: kept in the order registered, each once however often
    `ready` runs."""

    def register(self, item: Any) -> Any:
        if item not in self:
            self.append(item)
        return item


class Panels(Registry):
    """Functions that each add to a page's template context, called in turn."""

    def context(self, *args: Any) -> dict:
        context: dict = {}
        panel: Callable[..., dict]
        for panel in self:
            context.update(panel(*args))
        return context
