"""The postmortem's outline: the sections a review has, what warroom fills in from the log, what a person writes.

A playbook may give its own outline under `review:`; without one the report follows BUNDLED_REVIEW, after
PagerDuty's public postmortem template (response.pagerduty.com/after/post_mortem_template) and the lessons
NIST SP 800-61r3 asks a review to draw. Each section has a title, optionally what warroom writes in it
(`fill`, one of FILLS) and optionally a prompt: the question only a person can answer, shown under what the
log could say so the author writes that and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

# What warroom can write into a section from the log, by name (warroom.report.markdown has one writer each).
FILLS: dict[str, str] = {
    "summary": "the incident in facts: severity, how long, impact, roles, the log",
    "impact": "the impact recorded and how it changed, the customer-impact window, the time at each severity",
    "trigger": "the first alert or note, as the log has it",
    "how_detected": "when and how it was detected: the detection time given, the declaration, the first alert",
    "response": "the key times, the metrics, the phases against their windows, the escalation",
    "resolution": "when it was mitigated and resolved, and the last status changes",
    "went_wrong": "what the log shows went wrong: targets missed, rungs never notified, phases over their windows",
    "action_items": "the follow-ups recorded, with their owners and due dates",
    "responders": "who took part, their roles, and how much each did",
    "messages": "every message copied to send, in full",
    "timeline": "the timeline: milestones, decisions, changes, messages; runs of alerts folded",
    "after_resolution": "what was recorded after the resolution",
    "checklist": "each phase's and runbook's steps, done or not",
    "alerts": "every alert, in full (the timeline folds runs of them)",
}


@dataclass(frozen=True)
class ReviewSection:
    title: str
    fill: str | None = None  # a key of FILLS, or None: the section is the author's alone
    prompt: str = ""  # what the author should write here; empty when the log says it all
    level: int = 2  # 2: a section (##); 3: a part of the section before it (###)


BUNDLED_REVIEW: tuple[ReviewSection, ...] = (
    ReviewSection("Summary", "summary", "In two or three sentences: what happened, who was affected, and how it was resolved."),
    ReviewSection("Impact", "impact", "Who and what was affected, and how many: customers, requests, revenue, data, "
                  "service-level commitments."),
    ReviewSection("Trigger", "trigger", "What set it off: the change, event or condition that started it (its deeper "
                  "causes go under Contributing factors)."),
    ReviewSection("Contributing factors", None, "The conditions that made this possible or made it worse. There is "
                  "rarely a single root cause: give each factor and how it contributed."),
    ReviewSection("Detection", "how_detected", "How it was noticed, by monitoring or by a person, and how it could have "
                  "been noticed sooner."),
    ReviewSection("Response", "response", "What slowed the response down or sped it up: paging, access, tools, "
                  "knowledge."),
    ReviewSection("Resolution", "resolution", "What fixed it, and how recovery was confirmed."),
    ReviewSection("Action items", "action_items", "Anything else to be done to prevent a recurrence or shorten "
                  "the next one: record each with `followup TEXT @owner due YYYY-MM-DD` (the console's command bar, "
                  "or `warroom act ID followup ...`), so that `warroom followups` lists it."),
    ReviewSection("Lessons learned"),
    ReviewSection("What went well", None, "What worked and should be kept.", level=3),
    ReviewSection("What went wrong", "went_wrong", "What did not work, and why.", level=3),
    ReviewSection("Where we got lucky", None, "What could have made this worse and did not.", level=3),
    ReviewSection("Responders", "responders"),
    ReviewSection("Messages sent", "messages"),
    ReviewSection("Timeline", "timeline"),
    ReviewSection("After the resolution", "after_resolution"),
    ReviewSection("Checklist", "checklist"),
    ReviewSection("Appendix: every alert", "alerts"),
)
