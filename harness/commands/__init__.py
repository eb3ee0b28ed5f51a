"""One module per ``crr-harness`` subcommand; see ``harness.cli``."""
