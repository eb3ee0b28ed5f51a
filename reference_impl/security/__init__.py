"""Security of the reference CRR system: dev PKI, client identity, TLS, authorization.

- ``pki``: the development CA and its server, client and deliberately bad certificates;
- ``identity``: the ``Identity`` a client certificate carries, and validation of a
  certificate forwarded by a TLS-terminating proxy;
- ``tls``: every ``ssl.SSLContext``, server and client;
- ``asgi_tls``: the client certificate in the ASGI scope, the identity middleware,
  and starting uvicorn with all of it (imports uvicorn);
- ``authorization``: role (SEC0001) and participant-name (SEC0002) decisions from the spec.

Import the submodules directly; this package imports nothing so that using
``authorization`` or ``identity`` does not pull in the HTTP server.
"""
