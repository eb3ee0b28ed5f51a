"""The CRR spec contract shared by the harness and the reference implementation.

What both sides must agree on, and nothing that belongs to only one of them:
the spec files and where the shipped copies live.
"""
