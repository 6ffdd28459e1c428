"""Plays one scripted resident against a running assistant over HTTP, as a resident would.

After each message the player reads the conversation's tracker (Rasa's HTTP API) to see which step the
assistant is asking for, answers it from the script, and finally checks the outcome where a clerk would see
it: in the back office (`requests/{id}.json`) or in what the resident was told.
"""

from __future__ import annotations

import functools
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
import yaml

from tests.conversations.scripts import Script

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CITY = PROJECT_ROOT / "cities" / "helsinki"
MAX_RESIDENT_MESSAGES = 12
MAX_SAME_QUESTION = 2  # the goal: never the same question more than twice in a row
FALLBACK_MARKERS = ("didn't quite get that", "i need one of these")
STEP_OF_SLOT = {
    "service_code": "service",
    "location_text": "location",
    "duplicate_step": "duplicate",
    "photo_step": "photo",
    "description": "description",
    "contact_step": "contact",
    "confirm_report": "confirm",
}


class Assistant(Protocol):
    """What the player needs from a running assistant (tests.fixtures.stack.Stack has both)."""

    def say(self, sender: str, text: str) -> list[dict[str, Any]]: ...

    def tracker(self, sender: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class BackOffice:
    """The Open311 server the assistant files to."""

    url: str
    api_key: str


@dataclass
class Result:
    """How one scripted conversation went."""

    script: Script
    ok: bool = False
    reason: str = ""
    resident_messages: int = 0
    re_asks: int = 0
    fallbacks: int = 0
    transcript: list[str] = field(default_factory=list)
    named_both_first: bool = False  # the first message settled the service and the place


class CityFacts:
    """What the player looks up in the committed city: addresses, service questions, FAQ answers."""

    def __init__(self, folder: Path = CITY) -> None:
        self.addresses = json.loads((folder / "addresses.json").read_text(encoding="utf-8"))
        services = yaml.safe_load((folder / "services.yml").read_text(encoding="utf-8"))["services"]
        self.questions = {s["service_code"]: [a["code"] for a in s.get("attributes") or []] for s in services}
        # What an earlier reporter answered to each required question (its first option).
        self.required = {
            s["service_code"]: {
                f"attribute[{a['code']}]": a["values"][0]["key"]
                for a in s.get("attributes") or []
                if a.get("required") and a.get("values")
            }
            for s in services
        }
        faq = yaml.safe_load((folder / "faq.yml").read_text(encoding="utf-8"))["faq"]
        self.faq_answers = {q["key"]: " ".join(q["answer"].split()) for q in faq}

    @staticmethod
    @functools.cache
    def option_names(code: str, key: str) -> frozenset[str]:
        """The button titles of an attribute's option (by attribute code and option key), any service."""
        services = yaml.safe_load((CITY / "services.yml").read_text(encoding="utf-8"))["services"]
        return frozenset(
            v["name"]
            for s in services
            for a in s.get("attributes") or []
            if a["code"] == code
            for v in a.get("values") or []
            if str(v["key"]) == key
        )

    def position(self, address: str) -> tuple[float, float]:
        """Coordinates of a known address ("Fredrikinkatu 22"), or of the street's first known number."""
        street, _, number = address.strip().rpartition(" ")
        same_street = [a for a in self.addresses if a["street"].lower() == (street or address).lower()]
        exact = [a for a in same_street if a["housenumber"].lower() == number.lower()]
        found = exact or same_street
        if not found:
            raise ValueError(f"setup address not in the city data: {address}")
        return found[0]["lat"], found[0]["lon"]

    def faq_heard(self, key: str, text: str) -> bool:
        """Whether the resident was given this FAQ answer (its opening words)."""
        return self.faq_answers[key][:60].lower() in " ".join(text.split()).lower()


def file_request(office: BackOffice, city: CityFacts, spec: dict[str, str]) -> str:
    """Files a report as another resident did earlier; its number."""
    lat, lon = city.position(spec["address"])
    response = requests.post(
        f"{office.url}requests.json",
        data={
            "api_key": office.api_key,
            "service_code": spec["service"],
            "lat": lat,
            "long": lon,
            "address_string": spec["address"],
            "description": f"{spec['service']} reported earlier",
            **city.required.get(spec["service"], {}),
        },
        timeout=10,
    )
    if not response.ok:
        raise ValueError(
            f"the back office refused the setup report: {response.status_code} {response.text[:200]}"
        )
    return str(response.json()[0]["service_request_id"])


def current_step(tracker: dict[str, Any], city: CityFacts) -> str | None:
    """What the assistant is asking for now: a step name, an attribute code, or None outside a report."""
    if (tracker.get("active_loop") or {}).get("name") != "report_form":
        return None
    slots = tracker["slots"]
    slot = slots.get("requested_slot")
    if slot != "attribute_answer":
        return STEP_OF_SLOT.get(slot or "")
    code = slots.get("service_code")
    state = slots.get("attributes") or {}
    done = set((state.get("answers") or {}) if state.get("service") == code else {})
    done |= set(state.get("skipped") or []) if state.get("service") == code else set()
    pending = [q for q in city.questions.get(code, []) if q not in done]
    return pending[0] if pending else "attribute_answer"


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def service_buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Buttons that choose a service (their payload names a report intent or a service code)."""
    return [
        b
        for r in replies
        for b in r.get("buttons") or []
        if "report_" in b["payload"] or "service" in b["payload"]
    ]


def words_for(answer: str | dict[str, str], replies: list[dict[str, Any]]) -> str:
    """What the resident sends: their words, or the payload of the button they tap."""
    if isinstance(answer, str):
        return answer
    wanted = answer["tap"]
    for button in (b for r in replies for b in r.get("buttons") or []):
        if wanted in button["payload"] or wanted.lower() == button["title"].lower():
            return str(button["payload"])
    return wanted.replace("_", " ")  # not offered: the resident types it


class Conversation:
    """One resident's conversation in progress."""

    def __init__(self, script: Script, assistant: Assistant, city: CityFacts) -> None:
        self.script, self.assistant, self.city = script, assistant, city
        self.sender = f"sim-{script.id}-{uuid.uuid4().hex[:6]}"
        self.result = Result(script)
        self.heard = ""  # everything the assistant said
        self.replies: list[dict[str, Any]] = []
        self.number = ""  # the existing report's number, when the script has one

    def say(self, text: str) -> dict[str, Any]:
        """Sends one message; the tracker after it."""
        self.result.resident_messages += 1
        self.replies = self.assistant.say(self.sender, text)
        tracker = self.assistant.tracker(self.sender)
        intent = (tracker.get("latest_message") or {}).get("intent") or {}
        understood = f"{intent.get('name')} {float(intent.get('confidence') or 0):.2f}"
        self.result.transcript.append(f"resident: {text}   [{understood}]")
        said = text_of(self.replies)
        self.heard += "\n" + said
        self.result.fallbacks += sum(marker in said.lower() for marker in FALLBACK_MARKERS)
        for reply in self.replies:
            buttons = " | ".join(b["title"] for b in reply.get("buttons") or [])
            self.result.transcript.append(
                f"assistant: {reply.get('text') or ''}" + (f" [{buttons}]" if buttons else "")
            )
        return tracker


def finished(convo: Conversation, tracker: dict[str, Any], mine_before: int) -> bool:
    """Whether the conversation reached an end the script can be judged on."""
    slots = tracker["slots"]
    outcome = convo.script.outcome
    in_report = (tracker.get("active_loop") or {}).get("name") == "report_form"
    if outcome in ("filed", "followed"):
        return len(slots.get("my_requests") or []) > mine_before
    if outcome == "cancelled":
        return "Nothing was sent" in convo.heard and not in_report
    return not in_report and expectation_heard(convo)


def expectation_heard(convo: Conversation) -> bool:
    """Whether the resident has been told what they asked for (an FAQ answer, a report's status)."""
    expect = convo.script.expect
    if expect.get("faq") and not convo.city.faq_heard(expect["faq"], convo.heard):
        return False
    return not (expect.get("status_of_number") and f"Report {convo.number}" not in convo.heard)


def play(script: Script, assistant: Assistant, office: BackOffice, city: CityFacts) -> Result:
    """Plays the script to its end and judges it."""
    convo = Conversation(script, assistant, city)
    try:
        setup = {k: file_request(office, city, spec) for k, spec in script.setup.items()}
    except (requests.RequestException, ValueError) as error:
        return fail(convo, f"setup failed: {error}")
    number = convo.number = setup.get("existing_report", "")
    fill = lambda text: text.replace("{number}", number)  # noqa: E731
    tracker = convo.say(fill(script.first))
    first = tracker["slots"]
    convo.result.named_both_first = bool(first.get("service_code")) and first.get("latitude") is not None
    asked: dict[str, int] = {}
    pending = list(script.interjections)
    previous, in_a_row, interjected = None, 0, False
    while not finished(convo, tracker, 0):
        if convo.result.resident_messages >= MAX_RESIDENT_MESSAGES:
            return fail(convo, f"not done after {MAX_RESIDENT_MESSAGES} messages")
        step = current_step(tracker, city)
        wants_report = script.outcome in ("filed", "followed")
        if step is None and wants_report and ("service" not in asked or service_buttons(convo.replies)):
            step = "service"  # a menu or an open question outside the form: say what the problem is
        if (
            step is None
            and script.outcome == "answered"
            and "number" in script.answers
            and "number" not in asked
        ):
            step = "number"  # asked which report: give its number
        if step is None:
            return fail(convo, "the assistant stopped asking before the goal was reached")
        in_a_row = in_a_row + 1 if step == previous and not interjected else 1
        convo.result.re_asks += step == previous and not interjected
        if in_a_row > MAX_SAME_QUESTION:
            return fail(convo, f"asked for {step} {in_a_row} times in a row")
        previous = step
        interjection = next((i for i in pending if i.at == step), None)
        if interjection:
            pending.remove(interjection)
            tracker = convo.say(fill(interjection.say))
            if interjection.expect_faq and not city.faq_heard(
                interjection.expect_faq, text_of(convo.replies)
            ):
                return fail(convo, f"mid-report question not answered with {interjection.expect_faq}")
            interjected = True
            continue
        interjected = False
        asked[step] = asked.get(step, 0) + 1
        answer = script.answer(step, asked[step])
        if asked[step] > 1:
            answer = tapped_when_asked_again(script, step, convo.replies) or answer
        if answer is None:
            return fail(convo, f"the script has no answer for {step}")
        tracker = convo.say(fill(words_for(answer, convo.replies)))
    return judge(convo, tracker, office, setup)


def tapped_when_asked_again(
    script: Script, step: str, replies: list[dict[str, Any]]
) -> dict[str, str] | None:
    """Asked again, a resident taps the button that says what they mean, when one does.

    Their problem among the services offered, or the option their answer meant among a question's
    choices (what the script expects to be filed); else they answer in words again.
    """
    wanted = (
        script.expect.get("service")
        if step == "service"
        else (script.expect.get("attributes") or {}).get(step)
    )
    offered = [b for r in replies for b in r.get("buttons") or []]
    if not wanted or not offered:
        return None
    if step == "service":
        match = next((b for b in offered if b["payload"] == f"/report_{wanted}"), None)
    else:
        names = CityFacts.option_names(step, str(wanted))
        match = next((b for b in offered if b["title"] in names), None)
    return {"tap": match["payload"]} if match else None


def fail(convo: Conversation, reason: str) -> Result:
    convo.result.reason = reason
    return convo.result


def judge(convo: Conversation, tracker: dict[str, Any], office: BackOffice, setup: dict[str, str]) -> Result:
    """Checks the end against the script's expectations."""
    expect, slots = convo.script.expect, tracker["slots"]
    problems: list[str] = []
    if convo.script.outcome in ("filed", "followed"):
        outcome, number = slots.get("report_outcome"), (slots.get("my_requests") or [""])[-1]
        if outcome == "queued":
            # The back office was slow: the report waits in the outbox and the worker sends it.
            outcome, number = delivered_later(convo, convo.script.outcome)
        if outcome != convo.script.outcome:
            problems.append(f"outcome {outcome}, expected {convo.script.outcome}")
        if convo.script.outcome == "filed" and not problems:
            problems += filed_problems(office, number, expect)
            problems += attribute_problems(tracker, expect.get("attributes") or {})
    elif convo.script.outcome == "answered" and not expectation_heard(convo):
        problems.append("not given the answer asked for")
    convo.result.ok = not problems
    convo.result.reason = "; ".join(problems)
    return convo.result


def delivered_later(convo: Conversation, expected: str, wait_s: float = 30.0) -> tuple[str, str]:
    """The outcome once the worker has sent a queued report, and its number, as the resident is told."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        said = [
            e.get("text") or ""
            for e in convo.assistant.tracker(convo.sender).get("events") or []
            if e.get("event") == "bot"
        ]
        found = next((m for t in reversed(said) if (m := re.search(r"[Ii]ts number is (\d+)", t))), None)
        if found:
            return expected, found.group(1)
        time.sleep(1)
    return "queued", ""


def filed_problems(office: BackOffice, number: str, expect: dict[str, Any]) -> list[str]:
    """What differs between the report in the back office and what the resident meant."""
    filed = requests.get(f"{office.url}requests/{number}.json", timeout=10).json()[0]
    address, description = str(filed.get("address") or ""), str(filed.get("description") or "").lower()
    problems = []
    if expect.get("service") and filed["service_code"] != expect["service"]:
        problems.append(f"filed as {filed['service_code']}, expected {expect['service']}")
    if expect.get("street") and expect["street"].lower() not in address.lower():
        problems.append(f"filed at {address!r}, expected {expect['street']}")
    if expect.get("house_number") and str(expect["house_number"]).lower() not in address.lower().split():
        problems.append(f"filed at {address!r}, expected number {expect['house_number']}")
    missing = [w for w in expect.get("description_has") or [] if str(w).lower() not in description]
    if missing:
        problems.append(f"description {description!r} lacks {missing}")
    return problems


def attribute_problems(tracker: dict[str, Any], expected: dict[str, str]) -> list[str]:
    """Answers to the service's questions that the report carried when it was confirmed."""
    states = [
        e["value"]
        for e in tracker.get("events") or []
        if e.get("event") == "slot" and e.get("name") == "attributes" and e.get("value")
    ]
    answers = (states[-1].get("answers") or {}) if states else {}
    return [
        f"{code} was {answers.get(code)!r}, expected {value!r}"
        for code, value in expected.items()
        if str(answers.get(code)) != str(value)
    ]
