"""Market-sim data sets shipped with the reference implementation.

``market_sim`` is the default one: ``crr-harness serve`` loads it into an
empty database, and the engine and HTTP tests build their worlds from it.
"""
