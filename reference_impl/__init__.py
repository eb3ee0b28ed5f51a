"""The reference CRR system the harness is measured against."""
