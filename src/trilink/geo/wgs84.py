"""WGS84 and Earth constants (NIMA TR8350.2; IERS rotation rate)."""

SEMI_MAJOR_AXIS = 6_378_137.0
"""a, metres."""
INVERSE_FLATTENING = 298.257223563
FLATTENING = 1.0 / INVERSE_FLATTENING
SEMI_MINOR_AXIS = SEMI_MAJOR_AXIS * (1.0 - FLATTENING)
ECCENTRICITY_SQ = FLATTENING * (2.0 - FLATTENING)
GM = 3.986004418e14
"""Earth's gravitational parameter, m³/s²."""
OMEGA_EARTH = 7.292115e-5
"""Earth rotation rate, rad/s."""
J2 = 1.08262668e-3
"""Second zonal harmonic (unnormalised)."""
MEAN_RADIUS = 6_371_008.8
"""Mean Earth radius R1 = (2a + b)/3, metres, for spherical approximations."""
G0 = 9.80665
"""Standard gravity, m/s² (for specific impulse)."""
