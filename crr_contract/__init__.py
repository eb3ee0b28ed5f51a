"""The CRR spec contract shared by the harness and the reference implementation.

What both sides must agree on, and nothing that belongs to only one of them.
Both ``harness`` and ``reference_impl`` import it; it imports neither.

- ``shipped``: where the shipped spec catalog and scenarios live (package
  data in a wheel, the top-level folders in a checkout).
- ``files``, ``pointer``, ``version``: reading spec documents, JSON
  pointers, MAJOR.MINOR.MINI versions.
- ``operations``: spec files by service and version, and their operations.
- ``error_catalog``: the error codes with family, HTTP status and history.
- ``openapi_messages``: the one openapi-core request/response record that
  the reference server validates with and the harness judges with.
- ``examples``: the spec examples of an operation.
- ``identity``: a participant's identity as a client certificate encodes it
  (O = participant name, OU = AIM role, CN).
- ``pki``: the dev PKI, good certificates and deliberately bad ones.
- ``errors``: the one ``SpecError`` family.
"""
