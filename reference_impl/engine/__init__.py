"""Pure CRR domain logic: no I/O, no HTTP, no storage; the clock is injected."""
