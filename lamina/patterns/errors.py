"""The one error the matcher raises: a pattern AWS would refuse, with AWS's reason text.

Each service wraps the reason in its own error: EventBridge answers InvalidEventPatternException
"Event pattern is not valid. Reason: {reason}", SNS InvalidParameter "Invalid parameter:
FilterPolicy: {reason}" (a nested policy in the MessageAttributes scope is the exception: SNS says
"Invalid parameter: {reason}" without "FilterPolicy: "), Lambda InvalidParameterValueException."""

from __future__ import annotations


class PatternError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def eventbridge_message(self) -> str:
        """The message as EventBridge words it (PutRule, TestEventPattern)."""
        return f"Event pattern is not valid. Reason: {self.reason}"
