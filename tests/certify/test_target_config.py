"""target.yaml: everything wrong with it is one line and exit 2, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crr_contract.pki import Defect, PkiLayout, init_pki
from harness.cli import main
from harness.target.config import load_target
from harness.target.dev_pki import declaration_from_dev_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiLayout:
    return init_pki(tmp_path_factory.mktemp("pki"))


def _write(tmp_path: Path, declaration: dict) -> Path:
    path = tmp_path / "target.yaml"
    path.write_text(yaml.safe_dump(declaration), encoding="utf-8")
    return path


def _declaration(pki: PkiLayout) -> dict:
    return declaration_from_dev_pki("https://127.0.0.1:1", pki.directory)


def test_a_good_declaration_loads_and_round_trips(tmp_path: Path, pki: PkiLayout) -> None:
    config = load_target(_write(tmp_path, _declaration(pki)))
    assert config.sim_control and config.operator == "operator"
    assert config.participant("bravo_trading-read").role == "EXTERNAL CRR HOLDER READ ACCESS"
    assert config.services["auction"] == "1.1.1"
    assert all(p.name.startswith("caiso_crr_") for p in config.spec_files()[:-1])
    assert config.spec_files()[-1].name.startswith("crr_harness_simcontrol_")


def _break(pki: PkiLayout, tmp_path: Path, how: str) -> dict:
    declaration = _declaration(pki)
    first = declaration["participants"][0]
    if how == "missing certificate":
        first["certificate"] = str(tmp_path / "nowhere.pem")
    elif how == "unreadable key":
        garbage = tmp_path / "garbage.key"
        garbage.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
        first["key"] = str(garbage)
    elif how == "key of another certificate":
        first["key"] = declaration["participants"][1]["key"]
    elif how == "expired certificate":
        first["certificate"] = str(pki.bad_clients[Defect.EXPIRED].cert)
        first["key"] = str(pki.bad_clients[Defect.EXPIRED].key)
    elif how == "not yet valid certificate":
        first["certificate"] = str(pki.bad_clients[Defect.NOT_YET_VALID].cert)
        first["key"] = str(pki.bad_clients[Defect.NOT_YET_VALID].key)
    elif how == "unknown service":
        declaration["services"] = {"auctions": "1.1.1"}
    elif how == "unknown version":
        declaration["services"] = {"auction": "9.9.9"}
    elif how == "unknown role":
        first["role"] = "EXTERNAL CRR SUPERUSER"
    elif how == "unknown feature":
        declaration["features"] = ["time-travel"]
    elif how == "missing ca bundle":
        declaration["ca_bundle"] = str(tmp_path / "ca-missing.pem")
    elif how == "operator not a participant":
        declaration["sim_control"] = {"operator": "nobody"}
    elif how == "not a url":
        declaration["base_url"] = "crr.example.com"
    elif how == "unknown key":
        declaration["participant"] = []
    elif how == "missing overlay":
        declaration["overlays"] = ["overlays/absent.yaml"]
    elif how == "invalid overlay":
        bad = tmp_path / "bad-overlay.yaml"
        bad.write_text("overlay: 1.0.0\nactions: []\n", encoding="utf-8")
        declaration["overlays"] = ["bad-overlay.yaml"]
    return declaration


CASES = {
    "missing certificate": "no such file",
    "unreadable key": "unreadable",
    "key of another certificate": "does not match its certificate",
    "expired certificate": "expired on",
    "not yet valid certificate": "not valid before",
    "unknown service": "unknown service 'auctions'",
    "unknown version": "no spec file for version 9.9.9",
    "unknown role": "unknown role",
    "unknown feature": "unknown feature 'time-travel'",
    "missing ca bundle": "ca_bundle",
    "operator not a participant": "operator 'nobody'",
    "not a url": "not an http(s) URL",
    "unknown key": "unknown key 'participant'",
    "missing overlay": "overlays/absent.yaml: no such file",
    "invalid overlay": "info with title and version is required",
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_bad_declaration_is_one_line_and_exit_2(
    tmp_path: Path, pki: PkiLayout, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, _break(pki, tmp_path, how))
    code = main(["certify", "--config", str(path), "--reports", str(tmp_path / "reports")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and CASES[how] in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "reports").exists()


def test_overlays_are_relative_to_the_declaration_and_applied_when_specs_load(
    tmp_path: Path, pki: PkiLayout, caiso_specs_dir: Path, specs_dir: Path
) -> None:
    import shutil

    shutil.copytree(specs_dir / "overlays", tmp_path / "overlays")
    declaration = _declaration(pki)
    declaration["specs_dir"] = str(caiso_specs_dir)
    declaration["overlays"] = sorted(
        str(p.relative_to(tmp_path)) for p in (tmp_path / "overlays").rglob("*.yaml")
    )
    config = load_target(_write(tmp_path, declaration))
    assert config.overlays[0].is_absolute() and config.overlays[0].is_file()
    specs = {spec.service: spec for spec in config.load_specs()}
    portfolio = specs["auction"].operations()[0]
    assert portfolio.provenance["roles"].source == "overlay"
    assert portfolio.roles == (
        "EXTERNAL CRR HOLDER READ/WRITE ACCESS",
        "EXTERNAL CRR HOLDER READ ACCESS",
    )
    assert specs["simcontrol"].operations()[0].provenance["roles"].source == "extension"
    assert config.summary()["overlays"] == [str(p) for p in config.overlays]
    without = load_target(_write(tmp_path, {**declaration, "overlays": []}))
    assert without.load_specs()[1].operations()[0].provenance["roles"].source == "tag"


def test_a_missing_config_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["certify", "--config", str(tmp_path / "absent.yaml")]) == 2
    assert "no such target config" in capsys.readouterr().err


def test_the_readme_example_declaration_is_valid(tmp_path: Path, pki: PkiLayout) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    declaration = yaml.safe_load(block)
    declaration["ca_bundle"] = str(pki.ca_cert)
    declaration.pop("specs_dir")
    declaration["pki_dir"] = str(pki.directory)
    for entry in declaration["participants"]:
        credential = pki.client(entry["id"])
        entry["certificate"], entry["key"] = str(credential.cert), str(credential.key)
    config = load_target(_write(tmp_path, declaration))
    assert config.services["market_info"] == "1.1.1"
    assert config.sim_control and config.operator == "operator"
    assert config.features == {"market-sim-dataset"}
