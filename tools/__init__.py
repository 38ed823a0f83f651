"""Build and release tools run by the Makefile (not deployed)."""
