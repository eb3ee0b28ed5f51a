"""Measured performance of the harness and the reference engine, side by side with peers."""
