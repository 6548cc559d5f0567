"""The tim ahli's approval step."""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator

DECISION_KEY = "keputusan"


class RecordedApprovalOperator(ApprovalOperator):
    """ApprovalOperator that always leaves the reviewer's answer in XCom (`keputusan`).

    On *Reject* the parent skips the downstream tasks before its return value is stored, so
    the decision and the reason would be lost to the task that records them.
    """

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" not in event:
            responded_at = event.get("responded_at")
            context["ti"].xcom_push(
                key=DECISION_KEY,
                value={
                    "chosen_options": event["chosen_options"],
                    "params_input": event.get("params_input") or {},
                    "responded_by_user": event.get("responded_by_user"),
                    "responded_at": responded_at.isoformat() if responded_at else None,
                },
            )
        return super().execute_complete(context=context, event=event)
