"""Flight physics: equations of motion in ECEF, atmosphere, boost, solving, missile catalogue."""
