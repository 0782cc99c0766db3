"""Packages beside the core that plug into it (the knowledge base, later channels and notifications).

The core may not import them (ARCHITECTURE.md: dependency direction), yet its migrations must see their
tables and its command line must seed them. Each plugin is a package with a ``plugin`` module that may
define ``MODELS`` (a module with its tables), ``seed(db, progress)``, ``initialize()`` (warm-up at
start), ``jobs()`` (periodic jobs for the in-process scheduler, as
``(minutes, function, failure message)``) and ``on_event(db, event)`` (core/events). The list comes from the settings, so the core names no plugin in code.
Routes are not a hook: the composition root (tongban/asgi.py) mounts every package's routers the one way.
"""

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from core.settings import get_settings


def plugins() -> list[ModuleType]:
    """The configured plugins' ``plugin`` modules, imported."""
    return [importlib.import_module(f"{name}.plugin") for name in get_settings().plugins]


def load_models() -> None:
    """Imports every plugin's models so that the shared metadata knows their tables."""
    for plugin in plugins():
        if hasattr(plugin, "MODELS"):
            importlib.import_module(plugin.MODELS)


def hooks(name: str) -> list[Callable[..., Any]]:
    """The plugins' functions called ``name``."""
    return [getattr(p, name) for p in plugins() if callable(getattr(p, name, None))]
