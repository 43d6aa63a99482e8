"""Shared code of the compendium."""
