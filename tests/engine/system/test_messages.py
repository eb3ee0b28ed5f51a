"""Messages raised by events, their visibility, and the date-range rule."""

from __future__ import annotations

from tests.engine.system.world import MONTHLY_AUCTION, raises_code


def test_window_events_raise_public_messages_at_their_times(system):
    market = system.get_market(MONTHLY_AUCTION)
    system.set_clock(market["windowCloseTime"])
    mine = [m for m in system.list_public_messages(market_name=MONTHLY_AUCTION)]
    assert [(m["category"], m["publishedAt"]) for m in mine] == [
        ("WINDOW_CLOSED", market["windowCloseTime"]),
        ("WINDOW_OPENED", market["windowOpenTime"]),
    ]


def test_a_list_without_start_time_reaches_back_seven_days(system):
    system.set_clock("2025-09-01T00:00:00Z")
    system.post_message("Old news", "posted on the 1st")
    system.set_clock("2025-09-08T00:00:01Z")
    system.post_message("Fresh news", "posted a week later")
    subjects = [m["subject"] for m in system.list_public_messages()]
    assert "Fresh news" in subjects and "Old news" not in subjects
    explicit = system.list_public_messages("2025-09-01T00:00:00Z")
    assert [m["subject"] for m in explicit][:2] == ["Fresh news", "Old news"]


def test_a_participant_sees_public_and_its_own_private_messages_only(system):
    system.post_message("Hello all", "Public notice")
    system.post_message("For you", "Private notice", participant_name="ALPHA_LSE")
    alpha = {m["subject"] for m in system.list_messages("ALPHA_LSE")}
    bravo = {m["subject"] for m in system.list_messages("BRAVO_TRADING")}
    assert {"Hello all", "For you"} <= alpha
    assert "For you" not in bravo and "Hello all" in bravo
    private = system.list_private_messages("ALPHA_LSE")
    assert [m["visibility"] for m in private] == ["PRIVATE"]


def test_someone_elses_private_message_is_not_found(system):
    message = system.post_message("For you", "Private", participant_name="ALPHA_LSE")
    assert system.get_message(message["messageId"], "ALPHA_LSE")["body"] == "Private"
    raises_code("SER0028", system.get_message, message["messageId"], "BRAVO_TRADING")
    raises_code("SER0028", system.get_message, message["messageId"])


def test_date_range_rules_msg0001(system):
    assert system.list_public_messages("2025-09-01T00:00:00Z", "2025-10-02T00:00:00Z") == []
    raises_code(
        "MSG0001", system.list_public_messages, "2025-09-02T00:00:00Z", "2025-09-01T00:00:00Z"
    )
    raises_code(
        "MSG0001", system.list_public_messages, "2025-09-01T00:00:00Z", "2025-10-02T00:00:01Z"
    )
    raises_code(
        "MSG0001", system.list_messages, "ALPHA_LSE", "2025-09-02T00:00:00Z", "2025-09-01T00:00:00Z"
    )


def test_an_end_time_in_year_one_needs_no_date_before_it(system):
    assert system.list_public_messages(end_time="0001-01-03T00:00:00Z") == []
