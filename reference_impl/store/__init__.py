"""Persistence of the reference CRR system: one SQLite file, nothing acknowledged is lost.

- ``migrations``: the versioned schema and how a database is brought up to it;
- ``journal``: the append-only journal of accepted commands (WAL, ``synchronous=FULL``);
- ``durable``: ``DurableSystem``, the engine behind one lock, journaling each
  command before it is acknowledged and replaying the journal on start.

This package is the only one that imports ``sqlite3``.
"""
