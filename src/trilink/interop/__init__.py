"""Outputs in the formats other systems read: GeoJSON, CoT (TAK), CZML, KML."""
