"""Certification packages: a PASS run packages and verifies offline; any changed byte, a
wrong key, a failing run or an expired waiver does not get through."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from harness.certification import provenance
from harness.certification.package import ATTESTATION
from harness.cli import main
from harness.selection import Selection
from tests.certify.support import certify_embedded, failures
from tests.mutants.catalog import BY_NAME

PACKAGED = ["attestation.intoto.json", "junit.xml", "report.html", "report.json", "target.json"]


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A PASS run of the reference (one operation), a key pair and its package."""
    root = tmp_path_factory.mktemp("package")
    certify_embedded(root, selection=Selection("getAppStatus"))
    assert main(["keys", "init", str(root / "keys")]) == 0
    package = root / "run.zip"
    key = root / "keys" / "certification-key.pem"
    latest = str(root / "reports" / "latest")
    argv = ["package", latest, "--key", str(key), "--out", str(package)]
    assert main([*argv, "--certifier", "ACME CRR QA"]) == 0
    return {
        "root": root,
        "package": package,
        "key": key,
        "pub": root / "keys" / "certification-key.pub.pem",
    }


def _verify(package: Path, pub: Path) -> int:
    return main(["verify", str(package), "--key", str(pub)])


def _repack(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """``source`` with members replaced (bytes) or removed (None), everything else as it was."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = change.get(info.filename, old.read(info.filename))
            if content is not None:
                new.writestr(info.filename, content)
        for name, content in change.items():
            if name not in old.namelist() and content is not None:
                new.writestr(name, content)
    return target


def _flip(data: bytes, at: int | None = None) -> bytes:
    index = len(data) // 2 if at is None else at
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_a_package_of_a_passing_run_verifies_and_says_what_was_certified(
    signed: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert _verify(signed["package"], signed["pub"]) == 0
    out = capsys.readouterr().out
    assert "VERIFIED" in out and "verdict  PASS" in out
    assert "crr-harness reference implementation" in out and "crr-harness 0.1.0" in out
    assert "signer   ACME CRR QA (key id " in out
    with zipfile.ZipFile(signed["package"]) as archive:
        assert sorted(archive.namelist()) == PACKAGED
        target = json.loads(archive.read("target.json"))
        envelope = json.loads(archive.read(ATTESTATION))
    assert all(len(c["certificate"]["sha256_fingerprint"]) == 64 for c in target["certificates"])
    assert "PRIVATE KEY" not in json.dumps(target)
    assert envelope["payloadType"] == "application/vnd.in-toto+json"


@pytest.mark.parametrize("name", PACKAGED)
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_one_changed_byte_in_any_file_fails_verify_naming_that_file(
    signed: dict[str, Path],
    tmp_path: Path,
    name: str,
    where: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with zipfile.ZipFile(signed["package"]) as archive:
        content = archive.read(name)
    at = {"start": 0, "middle": len(content) // 2, "end": len(content) - 1}[where]
    tampered = _repack(signed["package"], tmp_path / "tampered.zip", {name: _flip(content, at)})
    capsys.readouterr()
    assert _verify(tampered, signed["pub"]) == 1
    err = capsys.readouterr().err
    assert "NOT VERIFIED" in err and f"  {name}: " in err


def test_a_byte_changed_inside_the_archive_itself_names_the_file(
    signed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with zipfile.ZipFile(signed["package"]) as archive:
        info = archive.getinfo("report.json")
    raw = signed["package"].read_bytes()
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    tampered = tmp_path / "raw.zip"
    tampered.write_bytes(_flip(raw, start + info.compress_size // 2))
    capsys.readouterr()
    assert _verify(tampered, signed["pub"]) == 1
    assert "  report.json: " in capsys.readouterr().err


def test_added_and_removed_files_fail_verify(
    signed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    added = _repack(signed["package"], tmp_path / "added.zip", {"extra.txt": b"trust me"})
    removed = _repack(signed["package"], tmp_path / "removed.zip", {"junit.xml": None})
    capsys.readouterr()
    assert _verify(added, signed["pub"]) == 1
    assert "extra.txt: not covered by the signature" in capsys.readouterr().err
    assert _verify(removed, signed["pub"]) == 1
    assert "junit.xml: signed but missing" in capsys.readouterr().err


def test_a_wrong_key_fails_verify(
    signed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "init", str(tmp_path / "other")]) == 0
    capsys.readouterr()
    assert _verify(signed["package"], tmp_path / "other" / "certification-key.pub.pem") == 1
    assert f"{ATTESTATION}: not signed by this key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "{root}/nothing.zip", "--key", "{pub}"], "no such package"),
        (["verify", "{pub}", "--key", "{pub}"], "not a zip archive"),
        (["verify", "{package}", "--key", "{key}"], "not a PEM public key"),
        (["package", "{root}", "--key", "{key}"], "no report.json"),
        (["package", "{root}/reports/latest", "--key", "{pub}"], "not an unencrypted PEM"),
        (["keys", "init", "{root}/keys"], "exists"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    signed: dict[str, Path], argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {name: str(path) for name, path in signed.items()}
    capsys.readouterr()
    assert main([arg.format(**values) for arg in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_a_failing_run_is_refused_naming_its_failures_unless_they_are_waived(
    signed: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutant = BY_NAME["retired-error-code"]
    broken = certify_embedded(tmp_path / "broken", wrap=mutant.wrap)
    keys = [r.key for r in failures(broken)]
    out = tmp_path / "refused.zip"
    capsys.readouterr()
    code = main(
        [
            "package",
            str(tmp_path / "broken/reports/latest"),
            "--key",
            str(signed["key"]),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert "refused" in err and all(f"FAIL {key}" in err for key in keys)

    waivers = tmp_path / "waivers.yaml"
    entries = [
        {"check": k, "reason": "fix in 4.2", "approved_by": "CAISO", "expires": "2999-01-01"}
        for k in keys
    ]
    waivers.write_text(yaml.safe_dump({"waivers": entries}), encoding="utf-8")
    certify_embedded(tmp_path / "waived", wrap=mutant.wrap, waivers=waivers)
    accepted = tmp_path / "waived.zip"
    assert (
        main(
            [
                "package",
                str(tmp_path / "waived/reports/latest"),
                "--key",
                str(signed["key"]),
                "--out",
                str(accepted),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert _verify(accepted, signed["pub"]) == 0
    assert f"{len(keys)} waived" in capsys.readouterr().out
    with zipfile.ZipFile(accepted) as archive:
        assert archive.read("waivers.yaml") == waivers.read_bytes()

    expired = tmp_path / "expired.yaml"
    expired.write_text(waivers.read_text().replace("2999-01-01", "2001-01-01"), encoding="utf-8")
    certify_embedded(tmp_path / "expired", wrap=mutant.wrap, waivers=expired)
    capsys.readouterr()
    assert (
        main(["package", str(tmp_path / "expired/reports/latest"), "--key", str(signed["key"])])
        == 1
    )
    assert all(f"FAIL {key}" in capsys.readouterr().err for key in keys[:1])


def test_the_lock_is_not_available_in_an_installation_that_does_not_ship_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(provenance.dependency_lock()["sha256"]) == 64  # this checkout has one
    installed = tmp_path / "site-packages" / "harness" / "__init__.py"
    installed.parent.mkdir(parents=True)
    monkeypatch.setattr(provenance.harness, "__file__", str(installed))

    def no_distribution(name: str) -> None:
        raise provenance.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(provenance.metadata, "distribution", no_distribution)
    assert provenance.dependency_lock() == {"file": "requirements.lock", "sha256": "not available"}
    shutil.copy(Path(__file__).parents[2] / "requirements.lock", installed.parent.parent)
    assert len(provenance.dependency_lock()["sha256"]) == 64
