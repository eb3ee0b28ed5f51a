"""The operator's controls of the market simulation: clock, reset, data set, windows, clearing.

These are the operations of the sim-control API (``specs/simcontrol``), not
of a CAISO service: the operator moves the virtual clock, loads a data set,
adjusts a market's set-up, opens and closes windows, runs the clearing and
publishes results. :class:`~reference_impl.engine.system.CRRSystem` inherits
them, so they are commands of the one facade like every other: marked
``@command``, journaled, dispatched (due window transitions applied once)
and run under the store's one lock. The state, the clock and the reading a
command runs at are the facade's (declared here, set by ``CRRSystem``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from reference_impl.engine import dataset_loading, market_results, market_setup, window_transitions
from reference_impl.engine.clock import Clock, format_utc, parse_utc, settable
from reference_impl.engine.dispatch import command
from reference_impl.engine.errors import DomainError
from reference_impl.engine.state import EngineState

__all__ = ["SimulationControl"]


class SimulationControl:
    """The operator's commands; the facade's state, clock and command time come from ``CRRSystem``."""

    _clock: Clock
    _state: EngineState
    _new_state: Callable[[], EngineState]
    """A fresh, empty state with the facade's parameters and limits (a reset starts from it)."""
    _command_time: datetime
    """The clock reading the running command's window transitions were applied at."""

    def now(self) -> datetime:
        """The current time on the injected clock (UTC)."""
        return self._clock.now()

    @command(sync="after")
    def set_clock(self, time: str) -> dict:
        """Operator: move the virtual clock to ``time`` (not backwards)."""
        settable(self._clock).set(parse_utc(time, "time"))
        return {"now": format_utc(self.now())}

    @command(sync="after")
    def advance_clock(self, seconds: float) -> dict:
        """Operator: move the virtual clock forward by ``seconds``."""
        clock = settable(self._clock)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise DomainError("SER0002", "seconds must be a number.", "seconds")
        clock.advance(timedelta(seconds=seconds))
        return {"now": format_utc(self.now())}

    # -------------------------------------------------------------- set-up

    @command(sync=None)
    def reset(self, clock_time: str | None = None) -> dict:
        """Operator: forget all state; optionally restart the virtual clock at ``clock_time``."""
        if clock_time is not None:
            settable(self._clock).restart(parse_utc(clock_time, "clockTime"))
        self._state = self._new_state()
        return {"now": format_utc(self.now())}

    @command(sync="after")
    def load_dataset(self, data: dict) -> dict:
        """Operator: add a market-sim data set; nothing is added unless all of it is valid."""
        return dataset_loading.load_dataset(self._state, data)

    @command()
    def set_model_release(self, market_name: str, release: str) -> dict:
        """Operator: record the network model release (V0..V3) the market now uses."""
        return market_setup.set_model_release(self._state, market_name, release)

    @command()
    def mark_location_unavailable(self, location: str, market_name: str, reason: str) -> dict:
        """Operator: a list update islands or retires a location; bidding portfolios turn INVALID."""
        return market_setup.mark_location_unavailable(
            self._state, location, market_name, reason, self._command_time
        )

    @command()
    def post_message(
        self,
        subject: str,
        body: str,
        market_name: str | None = None,
        participant_name: str | None = None,
    ) -> dict:
        """Operator: post a GENERAL message, public or to one participant."""
        return market_setup.post_general_message(
            self._state, subject, body, market_name, participant_name, self._command_time
        )

    # ------------------------------------------------------ windows (operator)

    @command()
    def open_window(self, name: str, close_time: str | None = None) -> dict:
        """Operator: open a market's (or load, TOR, load migration) window now."""
        return window_transitions.open_window(self._state, name, close_time, self._command_time)

    @command()
    def close_window(self, name: str) -> dict:
        """Operator: close a window now; submitted portfolios become CLOSED."""
        return window_transitions.close_window(self._state, name, self._command_time)

    # -------------------------------------------------------- clearing (operator)

    @command()
    def run_clearing(self, market_name: str) -> dict:
        """Operator: clear a CLOSED market; results stay pending until published."""
        return market_results.run_clearing(self._state, market_name, self._command_time)

    @command()
    def publish_results(self, market_name: str) -> dict:
        """Operator: publish a cleared market (or post a load migration market's results)."""
        return market_results.publish_results(self._state, market_name, self._command_time)
