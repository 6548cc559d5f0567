"""The tim ahli's approval step."""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from kinerja.reports.keputusan import SETUJUI, TOLAK

DECISION_KEY = "keputusan"


class RecordedApprovalOperator(ApprovalOperator):
    """ApprovalOperator with its choices in Bahasa Indonesia that records what is reviewed.

    * On asking: the staged build is recorded in the warehouse (the SHA-256 of every staged
      file and the headline figures) so the review page can serve it, and the request's body
      gets the page's link and the figures one per line.
    * On the answer: *Tolak* without an `alasan` asks again (the form cannot make a field
      required for one choice only); otherwise the decision is recorded beside the checksums
      before anything is published, and left in XCom (`keputusan`), because on *Tolak* the
      parent skips the downstream tasks before its return value is stored.
    """

    APPROVE = SETUJUI
    REJECT = TOLAK
    template_fields = (*ApprovalOperator.template_fields, "tahun", "staging")

    def __init__(self, *, tahun: str, staging: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tahun = tahun
        self.staging = staging

    def execute(self, context: Any) -> Any:
        from urllib.parse import urlparse

        from airflow.sdk import conf
        from kinerja.pipeline import request_review
        from kinerja.web.review import request_body, review_link

        from common.connections import runtime

        run_id = context["run_id"]
        asked = request_review(runtime(), int(self.tahun), self.staging, run_id)
        base = urlparse(conf.get("api", "base_url", fallback="/") or "/").path or "/"
        self.body = request_body(review_link(base, run_id), asked.ringkasan, self.body or "")
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" not in event:
            reason = str((event.get("params_input") or {}).get("alasan") or "").strip()
            if event.get("chosen_options") == [self.REJECT] and not reason:
                self.log.warning("Tolak tanpa alasan: permintaan persetujuan dibuka lagi")
                return super().execute(context)  # clears the answer and waits again
            from kinerja.handover import Answer
            from kinerja.pipeline import record_review

            from common.connections import runtime

            answer = Answer.from_json(event)
            record_review(runtime(), int(self.tahun), self.staging, answer, context["run_id"])
            context["ti"].xcom_push(key=DECISION_KEY, value=answer.to_json())
        return super().execute_complete(context=context, event=event)
