"""Certification packages: one signed archive a vendor hands to CAISO, verifiable offline.

``package`` builds it from a run's report directory (refusing a run that is
not PASS), ``verify`` checks it with nothing but the archive and the
signer's public key, ``keys`` makes the Ed25519 key pair. The signature is
an in-toto Statement v1 (``statement``) in a DSSE envelope (``dsse``);
docs/certification-package.md describes the format so that anyone can
verify a package without crr-harness.
"""
