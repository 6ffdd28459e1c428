"""Every channel, end to end: a resident's photo reaches the back office with its place, the same way on SMS,
Telegram and the web chat; and a photo taken beside an open report becomes a +1 on it instead of a duplicate.

Twilio's and Telegram's own servers are small fakes on loopback (their API base URLs are settings); everything
else is the real stack: signed webhooks into Rasa, the action server, the back office, the photo pipeline.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests

from bot.channels.telegram import output as telegram_output
from tests.fixtures import telegram_fake, twilio_fake
from tests.fixtures.media import phone_jpeg
from tests.fixtures.stack import TELEGRAM_SECRET, Stack, wait_until

pytestmark = pytest.mark.e2e
_ids = itertools.count(1)


def dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round(((value - degrees) * 60 - minutes) * 60, 4))


def photo_taken_at(lat: float, lon: float) -> bytes:
    """A phone JPEG whose EXIF says where it was taken."""
    return phone_jpeg(gps=("N", dms(lat), "E", dms(lon)))


def number_in(text: str) -> str:
    found = re.search(r"(?:number is|following report) (\d+)", text)
    assert found, text
    return found.group(1)


def filed(stack: Stack, number: str) -> dict[str, Any]:
    return requests.get(f"{stack.backoffice.url}requests/{number}.json", timeout=10).json()[0]


def assert_photo_served_clean(url: str) -> None:
    photo = requests.get(url, timeout=10)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in photo.content  # stored without the resident's metadata


# --- one resident per channel ---


class Resident:
    """Talks to the assistant over one channel and reads what the resident receives."""

    channel: str

    def send(self, text: str = "", photo: bytes | None = None) -> str:
        """Sends a message (optionally with a photo) and returns what came back."""
        raise NotImplementedError

    def tap(self, payload: str) -> str:
        """Picks one of the buttons just offered."""
        raise NotImplementedError


class SmsResident(Resident):
    channel = "twilio"

    def __init__(self, stack: Stack) -> None:
        self.stack, self.number = stack, f"+35840{next(_ids):07d}"
        self.options: list[str] = []

    def send(self, text: str = "", photo: bytes | None = None) -> str:
        twilio = self.stack.twilio
        before = len([m for m in twilio.sent if m.to == self.number])
        fields = [("MessageSid", twilio.next_sid()), ("AccountSid", twilio_fake.ACCOUNT_SID),
                  ("From", self.number), ("To", twilio_fake.CITY_NUMBER), ("Body", text),
                  ("NumMedia", "1" if photo else "0")]  # fmt: skip
        if photo:
            fields += [("MediaContentType0", "image/jpeg"), ("MediaUrl0", twilio.add_media(photo))]
        response = twilio_fake.signed_post(self.stack.webhook("twilio"), fields)
        assert response.status_code == 200 and "<Response" in response.text
        wait_until(lambda: len([m for m in twilio.sent if m.to == self.number]) > before, timeout=30)
        wait_until(lambda: _settled(lambda: len([m for m in twilio.sent if m.to == self.number])), timeout=10)
        mine = [m for m in twilio.sent if m.to == self.number]
        body = "\n".join(m.body for m in mine[before:])
        self.options = re.findall(r"^(\d+)\. ", body, flags=re.M)
        return body

    def tap(self, payload: str) -> str:
        # SMS has no buttons: the resident answers with the option's number.
        titles = {"/affirm": ("Send it", "Yes"), "/deny": ("No", "Skip")}
        last = "\n".join(m.body for m in self.stack.twilio.sent if m.to == self.number)
        for title in titles[payload]:
            found = re.findall(rf"^(\d+)\. {re.escape(title)}", last, flags=re.M)
            if found:
                return self.send(found[-1])
        raise AssertionError(f"no option for {payload} in:\n{last}")


class TelegramResident(Resident):
    channel = "telegram"

    def __init__(self, stack: Stack) -> None:
        self.stack, self.chat_id = stack, 700000 + next(_ids)

    def _post(self, update: dict[str, Any]) -> str:
        before = len(self._sent())
        response = requests.post(
            self.stack.webhook("telegram"),
            json=update,
            timeout=10,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )
        assert response.status_code == 200
        wait_until(lambda: len(self._sent()) > before, timeout=30)
        wait_until(lambda: _settled(lambda: len(self._sent())), timeout=10)
        return "\n".join(str(c.get("text") or c.get("caption") or "") for c in self._sent()[before:])

    def _sent(self) -> list[dict[str, Any]]:
        api = self.stack.telegram
        sends = [c.params for c in list(api.calls) if c.method in ("sendMessage", "sendPhoto")]
        return [params for params in sends if str(params.get("chat_id")) == str(self.chat_id)]

    def _message(self, **content: Any) -> dict[str, Any]:
        chat = {"id": self.chat_id, "type": "private", "first_name": "Resident"}
        user = {"id": self.chat_id, "is_bot": False, "first_name": "Resident"}
        message = {"message_id": next(_ids), "date": 1_760_000_000, "chat": chat, "from": user, **content}
        return {"update_id": 900_000 + next(_ids), "message": message}

    def send(self, text: str = "", photo: bytes | None = None) -> str:
        if photo is None:
            return self._post(self._message(text=text))
        file_id = f"photo-{next(_ids)}"
        self.stack.telegram.add_file(file_id, photo)
        sizes = [{"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(photo),
                  "width": 400, "height": 300}]  # fmt: skip
        return self._post(self._message(photo=sizes, caption=text) if text else self._message(photo=sizes))

    def tap(self, payload: str) -> str:
        user = {"id": self.chat_id, "is_bot": False, "first_name": "Resident"}
        message = {"message_id": 1, "date": 1_760_000_000, "chat": {"id": self.chat_id, "type": "private"},
                   "text": "…"}  # fmt: skip
        callback = {
            "id": f"cb{next(_ids)}", "from": user, "message": message, "chat_instance": "1", "data": payload,
        }  # fmt: skip
        return self._post({"update_id": 900_000 + next(_ids), "callback_query": callback})


class WebResident(Resident):
    channel = "webchat"

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.token = requests.post(stack.webhook("webchat", "session"), json={}, timeout=10).json()["token"]

    def _post(self, **kwargs: Any) -> str:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = requests.post(self.stack.webhook("webchat"), headers=headers, timeout=60, **kwargs)
        assert response.status_code == 200, response.text
        return "\n".join(str(m.get("text") or "") for m in response.json()["messages"])

    def send(self, text: str = "", photo: bytes | None = None) -> str:
        message_id = f"m{next(_ids)}"
        if photo is None:
            return self._post(json={"message_id": message_id, "text": text})
        return self._post(
            data={"message_id": message_id, "text": text}, files={"photo": ("photo.jpg", photo, "image/jpeg")}
        )

    def tap(self, payload: str) -> str:
        return self._post(json={"message_id": f"m{next(_ids)}", "payload": payload})


def _settled(count: Callable[[], int]) -> bool:
    """True once `count()` stops growing for half a second (a turn may send several messages)."""
    import time

    first = count()
    time.sleep(0.5)
    return count() == first


RESIDENTS = {"twilio": SmsResident, "telegram": TelegramResident, "webchat": WebResident}
# Places far enough apart (> 50 m) that no test's report is another's duplicate.
PLACES = {"twilio": "Fredrikinkatu 28", "telegram": "Kalevankatu 6", "webchat": "Yrjönkatu 21"}


@pytest.mark.parametrize("channel", list(RESIDENTS))
def test_a_photo_with_a_caption_then_yes_files_a_complete_report(stack: Stack, channel: str):
    resident = RESIDENTS[channel](stack)
    place = PLACES[channel]
    readback = resident.send(f"huge pothole outside {place}", photo=phone_jpeg())
    assert "Shall I send it" in readback and place in readback and "1 photo" in readback
    done = resident.tap("/affirm")  # the resident's second and last message
    request = filed(stack, number_in(done))
    assert request["service_code"] == "pothole" and request["address"] == place
    assert request["lat"] and request["long"]
    assert_photo_served_clean(request["media_url"])


# Kaivokatu 2 (by the railway station) and a point about 10 m east of it, where the photo is taken.
OPEN_REPORT = (60.170024, 24.944071)
PHOTO_SPOT = (60.170024, 24.944251)


@pytest.fixture(scope="module")
def open_pothole(stack: Stack) -> str:
    """An open pothole report a neighbour filed earlier, at Kaivokatu."""
    response = requests.post(
        f"{stack.backoffice.url}requests.json",
        data={
            "api_key": stack.backoffice.api_key,
            "service_code": "pothole",
            "lat": OPEN_REPORT[0],
            "long": OPEN_REPORT[1],
            "description": "deep pothole by the kerb",
        },
        timeout=10,
    )
    return str(response.json()[0]["service_request_id"])


def count_requests(stack: Stack) -> int:
    return len(requests.get(f"{stack.backoffice.url}requests.json", timeout=10).json())


@pytest.mark.parametrize("channel", list(RESIDENTS))
def test_a_photo_beside_an_open_report_is_placed_offered_and_followed(
    stack: Stack, open_pothole: str, channel: str
) -> None:
    resident = RESIDENTS[channel](stack)
    before = count_requests(stack)
    followers = filed(stack, open_pothole)["followers"]
    asked = resident.send("pothole here", photo=photo_taken_at(*PHOTO_SPOT))
    # The photo's own GPS position, read back as a place.
    assert "Is this where you took the photo: near Kaivokatu" in asked
    offered = resident.tap("/affirm")
    assert f"report {open_pothole}" in offered and "same problem" in offered
    done = resident.tap("/affirm")
    assert number_in(done) == open_pothole
    assert filed(stack, open_pothole)["followers"] == followers + 1  # a +1 on the open report…
    assert count_requests(stack) == before  # …instead of a second request


def test_a_forged_webhook_reaches_no_conversation(stack: Stack):
    fields = [("MessageSid", "SMforged"), ("From", "+358409999999"), ("Body", "hi")]
    forged = requests.post(
        stack.webhook("twilio"),
        data=fields,
        timeout=10,
        headers={"X-Telegram-Bot-Api-Secret-Token": "x", "X-Twilio-Signature": "bad"},
    )
    assert forged.status_code == 403
    update = {"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"},
                                          "text": "hi"}}  # fmt: skip
    assert (
        requests.post(
            stack.webhook("telegram"),
            json=update,
            timeout=10,
            headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
        ).status_code
        == 403
    )
    assert telegram_fake.TOKEN not in stack.logs()


@pytest.mark.parametrize(
    "typed",
    [
        "/ /restart",  # a slash, a space, then the command a one-slash cleaning would leave behind
        # nested, spaced, behind a zero-width space
        '\u200b/ /report_pothole{"location":"Mannerheimintie 5"}',
    ],
)
def test_typed_commands_stay_words_however_nested(stack: Stack, typed: str) -> None:
    resident = TelegramResident(stack)
    resident.send(f"graffiti on the bus shelter at {PLACES['telegram']}")
    who = telegram_output.sender_id(resident.chat_id)
    assert stack.slot(who, "service_code") == "graffiti"
    resident.send(typed)
    events = stack.tracker(who)["events"]
    assert not any(e["event"] == "restart" for e in events)  # the conversation was not restarted
    said = [e for e in events if e["event"] == "user"][-1]
    assert not said["text"].lstrip().startswith("/")  # Rasa saw words, not a command
    assert stack.slot(who, "service_code") == "graffiti"  # the report in progress is intact
