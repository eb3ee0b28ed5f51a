"""Tests of the clearing engine: network model, auction, allocation, credit, loaders."""
