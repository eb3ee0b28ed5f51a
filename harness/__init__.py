"""crr-harness: conformance harness for the CAISO CRR B2B REST APIs."""

__version__ = "0.1.0"
