"""``diff --overlay``: two CAISO files compare by our annotations once the overlays add them."""

from __future__ import annotations

from pathlib import Path

from crr_contract.operations import load_overlays
from harness.cli import main
from harness.diff.run import diff_files

OLD, NEW = "caiso_crr_auction_v1.1.0", "caiso_crr_auction_v1.1.1"


def _annotation_changes(result) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {
        (c.rule, c.location, c.bump)
        for c in result.changes
        if c.location.endswith(("x-roles", "x-error-codes"))
    }


def test_overlaid_caiso_files_show_the_annotation_changes_ours_show(
    specs_dir: Path, caiso_specs_dir: Path
) -> None:
    def files(root: Path) -> tuple[Path, Path]:
        folder = root / "openapi" / "auction"
        return folder / f"{OLD}_openapi.yaml", folder / f"{NEW}_openapi.yaml"

    ours = diff_files(*files(specs_dir), catalog=specs_dir / "errors" / "catalog.yaml")
    overlays = load_overlays(
        [specs_dir / "overlays" / "auction" / f"{name}_overlay.yaml" for name in (OLD, NEW)]
    )
    bare = diff_files(*files(caiso_specs_dir), catalog=specs_dir / "errors" / "catalog.yaml")
    overlaid = diff_files(
        *files(caiso_specs_dir), catalog=specs_dir / "errors" / "catalog.yaml", overlays=overlays
    )
    expected = _annotation_changes(ours)
    assert any(rule == "error_code.added" for rule, _, _ in expected)
    assert _annotation_changes(overlaid) == expected
    assert _annotation_changes(bare) == set()


def test_cli_diff_overlay_that_does_not_exist_is_exit_2(
    specs_dir: Path, tmp_path: Path, capsys
) -> None:
    folder = specs_dir / "openapi" / "auction"
    argv = ["diff", str(folder / f"{OLD}_openapi.yaml"), str(folder / f"{NEW}_openapi.yaml")]
    assert main([*argv, "--overlay", str(tmp_path / "absent.yaml")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "absent.yaml" in err
