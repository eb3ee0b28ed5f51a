"""``GET /specs`` lists the served files with their SHA-256; ``GET /specs/<file>`` returns one."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from tests.api.support import Api, error_codes


@pytest.mark.parametrize("credential", ["bravo_trading-read", "echo_nda-nda", "operator"])
def test_any_authenticated_caller_lists_the_served_specs(api: Api, credential: str) -> None:
    listed = api.client(credential).get("/specs").json()
    assert listed == [
        {"service": s.service, "version": s.version, "file": s.file, "sha256": s.sha256}
        for s in api.specs
    ]
    assert {entry["service"] for entry in listed} >= {"auction", "simcontrol"}


def test_each_file_is_served_as_it_is_on_disk(api: Api) -> None:
    client = api.client("alpha_lse-rw")
    for entry in client.get("/specs").json():
        response = client.get(f"/specs/{entry['file']}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/yaml")
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
        assert yaml.safe_load(response.content)["info"]["version"] == entry["version"]


def test_an_unknown_file_is_404(api: Api) -> None:
    response = api.client("alpha_lse-rw").get("/specs/caiso_crr_auction_v9.9.9_openapi.yaml")
    assert (response.status_code, error_codes(response)) == (404, ["SER0028"])
