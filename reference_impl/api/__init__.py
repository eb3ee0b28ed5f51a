"""The HTTP binding of the reference CRR system, generated from the spec files.

- ``specs``: the served spec files and their operations;
- ``routing``: the route table, operationId -> handler, refusing missing handlers;
- ``pipeline``: one request: role (SEC0001), validation, participant (SEC0002), handler;
- ``validation``: openapi-core request validation mapped to catalog codes;
- ``errors``: ``CRRServiceException`` responses, statuses and severities from the catalog;
- ``call`` and ``handlers/``: one small function per operation, on the engine;
- ``specs_endpoint``: ``GET /specs`` and ``GET /specs/<file>``;
- ``app``: the composition of all of the above into one ASGI app.

Identity (the client certificate) is resolved before this package by
``reference_impl.security.asgi_tls.ClientIdentityMiddleware``; state lives in
``reference_impl.store``.
"""
