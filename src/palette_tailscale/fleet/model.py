"""The fleet's records (defined beside the config models, below both render and fleet)."""

from __future__ import annotations

from ..config.fleet_model import FleetHost, Inventory

__all__ = ["FleetHost", "Inventory"]
