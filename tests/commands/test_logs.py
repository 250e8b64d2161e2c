"""How `lamina logs` renders a line: time, then the message, coloured on a terminal."""

from lamina.commands.logs import DIM, RED, render

AT = 1_700_000_000_123  # 2023-11-14T22:13:20.123Z


def test_plain_lines_carry_the_utc_time_with_milliseconds() -> None:
    assert render(AT, "hello\n", colour=False) == "22:13:20.123 hello"


def test_lambdas_own_lines_are_dim_and_errors_red() -> None:
    assert f"{DIM}START RequestId: x Version: $LATEST" in render(
        AT, "START RequestId: x Version: $LATEST", True
    )
    assert f"{RED}[ERROR] ValueError: bad" in render(AT, "[ERROR] ValueError: bad", True)
    assert DIM not in render(AT, "just output", True) and RED not in render(AT, "just output", True)
