"""Frames and geodesy on WGS84 (ECEF, geodetic, local ENU/AER), units at the edges, territories."""
