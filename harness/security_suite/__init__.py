"""The parts of the security and reliability suites (``harness.suites.security`` and
``harness.suites.reliability`` are their entry points): the mTLS matrix and TLS policy,
the role x operation matrix, private records, malformed input, load and crash runs."""
