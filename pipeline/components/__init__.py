"""The project's spaCy components, one module per stage or extractor.

Each module registers a factory named `profilex_<name>` with
`@Language.factory` and declares `ORDER`, its place in the pipeline. Later
components read what earlier ones left in `doc.user_data` (the page layout,
the dates found), so the order matters: layout 10, jurisdiction 20,
population 30, tactics 40, dates 50, citations 60, agencies 70, arrests 80,
confidence 90.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def component_modules() -> list[ModuleType]:
    """Every component module of this package, in pipeline order."""
    modules = [importlib.import_module(f"{__name__}.{info.name}")
               for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    modules = [m for m in modules if hasattr(m, "ORDER") and hasattr(m, "FACTORY")]
    return sorted(modules, key=lambda m: m.ORDER)
