"""Evaluation: offline, seeded Monte-Carlo campaigns of the whole chain (simulator → trackers → reports →
fusion → alerts), scored against the simulated truth. ``pipeline`` runs one scenario and seed;
``campaign`` runs many on a process pool and sums the results."""
