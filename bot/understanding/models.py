"""Build the router and the safety screen from the content folder (its models and patterns)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.content.loader import Content
from bot.understanding.linear import LinearModel
from bot.understanding.router import Router
from bot.understanding.screen import SafetyScreen

MODELS_FOLDER = "models"


@cache
def load_model(path: Path) -> LinearModel:
    """Read once per process: models are immutable, and tests build many Applications."""
    return LinearModel.load(path)


def build_router(content: Content, content_dir: Path) -> Router:
    return Router(load_model(content_dir / MODELS_FOLDER / "router.model"))


def build_screen(content: Content, content_dir: Path) -> SafetyScreen:
    return SafetyScreen(
        content.safety_patterns, load_model(content_dir / MODELS_FOLDER / "risk.model")
    )
