"""Tests of the HTTP layer of the reference implementation, over real mutual TLS."""
