"""Tests of the store: schema migrations, the journal, replay, durability and concurrency."""
