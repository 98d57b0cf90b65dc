"""Scenarios, allied sensor models and measurement generation (the truth kept apart)."""
