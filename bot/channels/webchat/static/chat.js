/* The city's web chat. Plain JavaScript, no libraries, no requests to anywhere but this server.
 *
 * The server issues a signed session token (POST session); every message goes to POST webhook with it and
 * the answer carries the assistant's replies. What the assistant says on its own is fetched from GET updates.
 * The token and the transcript live in localStorage, so a reload continues the same conversation.
 * Message text is only ever put on the page as text (textContent), never as HTML.
 */
(function () {
  "use strict";

  var STORE_KEY = "city-webchat-v1";
  var MAX_TRANSCRIPT = 200;
  var POLL_MS = 20000;
  var SHARE_LOCATION = "/share_location";
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];

  var log = document.getElementById("log");
  var intro = document.getElementById("intro");
  var statusLine = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var photoInput = document.getElementById("photo");
  var locationButton = document.getElementById("share-location");
  var newButton = document.getElementById("new-conversation");
  var scroller = document.getElementById("conversation");

  var state = { token: null, transcript: [], maxPhotoBytes: 10 * 1024 * 1024 };
  var queue = Promise.resolve(); // messages go out one after another, in the order they were written
  var inFlight = 0; // shown as <body data-pending>, so tests and tools can tell when the page is idle

  // ----------------------------------------------------------------------------------------- storage

  function save() {
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify({
        token: state.token,
        transcript: state.transcript.slice(-MAX_TRANSCRIPT)
      }));
    } catch (e) { /* private mode or full: the chat still works, it just won't survive a reload */ }
  }

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved === "object") {
        state.token = typeof saved.token === "string" ? saved.token : null;
        state.transcript = Array.isArray(saved.transcript) ? saved.transcript : [];
      }
    } catch (e) { state.transcript = []; }
  }

  function forget() {
    state.token = null;
    state.transcript = [];
    try { localStorage.removeItem(STORE_KEY); } catch (e) { /* nothing stored */ }
  }

  // ------------------------------------------------------------------------------------------ status

  function setPending(change) {
    inFlight += change;
    document.body.setAttribute("data-pending", String(inFlight));
  }

  function setStatus(text, isError) {
    statusLine.textContent = text || "";
    statusLine.classList.toggle("error", Boolean(isError));
  }

  // --------------------------------------------------------------------------------------- rendering

  var URL_PATTERN = /https?:\/\/[^\s<>"')]+/g;

  function textWithLinks(value) {
    var text = String(value);
    var p = document.createElement("p");
    p.className = "msg-text";
    var last = 0;
    text.replace(URL_PATTERN, function (url, index) {
      p.appendChild(document.createTextNode(text.slice(last, index)));
      var a = document.createElement("a");
      a.href = url;
      a.textContent = url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      p.appendChild(a);
      last = index + url.length;
      return url;
    });
    p.appendChild(document.createTextNode(text.slice(last)));
    return p;
  }

  function safeImage(url) {
    return typeof url === "string" && /^(https?:\/\/|\/)/.test(url) && url.indexOf("//") !== 0;
  }

  function speaker(label) {
    var span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = label;
    return span;
  }

  function addPicture(div, src, alt) {
    var img = document.createElement("img");
    img.className = "picture";
    img.src = src;
    img.alt = alt;
    img.addEventListener("load", keepEndInView);
    div.appendChild(img);
    div.classList.add("with-picture");
  }

  function render(entry, live) {
    var div = document.createElement("div");
    div.className = "msg " + (entry.from === "user" ? "user" : "bot");
    div.setAttribute("data-from", entry.from === "user" ? "user" : "bot");
    div.appendChild(speaker(entry.from === "user" ? "You said: " : "Assistant: "));
    if (entry.from === "user" && entry.preview) addPicture(div, entry.preview, "Your photo");
    if (entry.image && safeImage(entry.image)) addPicture(div, entry.image, "Picture from the assistant");
    if (entry.text) div.appendChild(textWithLinks(entry.text));
    if (entry.from === "bot" && Array.isArray(entry.buttons) && entry.buttons.length) {
      div.appendChild(choices(entry.buttons, live));
    }
    log.appendChild(div);
    intro.hidden = true;
    return div;
  }

  function choices(buttons, live) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Answers you can choose");
    buttons.forEach(function (b) {
      if (!b || typeof b !== "object") return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      var isLocation = b.payload === SHARE_LOCATION;
      button.textContent = isLocation ? "Use my location" : String(b.title || b.payload || "");
      button.disabled = !live;
      button.addEventListener("click", function (event) {
        // Pressed from the keyboard (no pointer: detail is 0): the button is about to be retired, so keep
        // the focus somewhere useful rather than let it fall back to the top of the page.
        if (event.detail === 0) input.focus();
        if (isLocation) { shareLocation(); return; }
        sendMessage({ payload: String(b.payload || b.title) }, { from: "user", text: button.textContent });
      });
      group.appendChild(button);
    });
    return group;
  }

  /** Buttons only answer the assistant's latest turn: older ones can no longer be chosen. */
  function retireChoices() {
    var buttons = log.querySelectorAll("button.choice");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  /** A picture that finished loading grew the log: follow it, unless the resident scrolled up to read. */
  function keepEndInView(event) {
    var grew = event.target.offsetHeight;
    if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= grew + 80) scrollToEnd();
  }

  function restore() {
    log.setAttribute("aria-busy", "true"); // do not read the whole old conversation out on load
    var lastUser = -1;
    state.transcript.forEach(function (e, i) { if (e.from === "user") lastUser = i; });
    state.transcript.forEach(function (entry, i) { render(entry, i > lastUser); });
    log.removeAttribute("aria-busy");
    scrollToEnd();
  }

  function record(entry, live) {
    var stored = { from: entry.from, text: entry.text || "" };
    if (entry.buttons && entry.buttons.length) stored.buttons = entry.buttons;
    if (entry.image) stored.image = entry.image;
    state.transcript.push(stored);
    save();
    var node = render(entry, live);
    scrollToEnd();
    return node;
  }

  function showReplies(messages) {
    if (!Array.isArray(messages) || !messages.length) return;
    retireChoices();
    messages.forEach(function (m) {
      if (!m || typeof m !== "object") return;
      record({ from: "bot", text: m.text || "", buttons: m.buttons || [], image: m.image || null }, true);
    });
  }

  // ------------------------------------------------------------------------------------------ server

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function startSession() {
    return fetch("session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(state.token ? { token: state.token } : {}),
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok || !data.token) throw new Error(data.message || "The chat is not available right now.");
        if (!data.resumed && state.token) {
          // The old session is not valid any more (for example the server's key changed): start afresh.
          forget();
          log.textContent = "";
          intro.hidden = false;
        }
        state.token = data.token;
        if (data.max_photo_bytes) state.maxPhotoBytes = data.max_photo_bytes;
        save();
      });
    });
  }

  function post(body, isForm) {
    var headers = { Authorization: "Bearer " + state.token };
    if (!isForm) headers["Content-Type"] = "application/json";
    return fetch("webhook", {
      method: "POST",
      headers: headers,
      body: isForm ? body : JSON.stringify(body),
      credentials: "same-origin"
    });
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /** Sends one message; a network failure is retried once with the same id (the server drops repeats). */
  function deliver(body, isForm, retried) {
    return post(body, isForm).catch(function (error) {
      if (retried) throw error;
      return wait(1500).then(function () { return deliver(body, isForm, true); });
    });
  }

  function handleAnswer(response, node) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok) {
        node.classList.add("unsent");
        setStatus(data.message || "Something went wrong. Please try again.", true);
        return;
      }
      setStatus("");
      showReplies(data.messages);
      if (data.duplicate || data.pending) setTimeout(poll, data.pending ? 3000 : 0);
    });
  }

  /**
   * Queues one message: `body` is what the server gets (JSON object or FormData), `entry` what the
   * transcript shows.
   */
  function sendMessage(body, entry) {
    retireChoices();
    var node = record(entry, false);
    var isForm = body instanceof FormData;
    if (isForm) body.append("message_id", newId()); else body.message_id = newId();
    setStatus("Sending…");
    setPending(1);
    queue = queue.then(function () {
      return (state.token ? Promise.resolve() : startSession())
        .then(function () { return deliver(body, isForm, false); })
        .then(function (response) {
          if (response.status !== 403) return response;
          state.token = null; // the session is no longer accepted: get a new one and send again
          return startSession().then(function () { return deliver(body, isForm, false); });
        })
        .then(function (response) { return handleAnswer(response, node); })
        .catch(function () {
          node.classList.add("unsent");
          setStatus("Couldn't reach the assistant. Check your connection and try again.", true);
        })
        .then(function () { setPending(-1); });
    });
    return queue;
  }

  function poll() {
    if (!state.token) return Promise.resolve();
    return fetch("updates", { headers: { Authorization: "Bearer " + state.token }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (data) { showReplies(data.messages); })
      .catch(function () { /* offline: try again at the next poll */ });
  }

  // ------------------------------------------------------------------------------------------ actions

  function sendTyped() {
    var text = input.value.trim();
    if (!text) {
      setStatus("Please type a message first.", true);
      input.focus();
      return;
    }
    input.value = "";
    sendMessage({ text: text }, { from: "user", text: text });
    input.focus();
  }

  function sendPhoto(file) {
    if (!file) return;
    if (PHOTO_TYPES.indexOf(file.type) < 0) {
      setStatus("Please choose a JPEG, PNG or WebP photo.", true);
      return;
    }
    if (file.size > state.maxPhotoBytes) {
      var mb = state.maxPhotoBytes / (1024 * 1024);
      var cap = mb >= 1 ? Math.floor(mb) + " MB" : Math.floor(state.maxPhotoBytes / 1024) + " KB";
      setStatus("Photo too large. Please choose a photo under " + cap + ".", true);
      return;
    }
    var caption = input.value.trim();
    input.value = "";
    var data = new FormData();
    data.append("photo", file, file.name || "photo.jpg");
    if (caption) data.append("text", caption);
    var entry = { from: "user", text: caption ? "Photo: " + caption : "Photo", preview: URL.createObjectURL(file) };
    sendMessage(data, entry);
  }

  function shareLocation() {
    if (!navigator.geolocation) {
      setStatus("This browser cannot share a location. Please type the address instead.", true);
      return;
    }
    setStatus("Finding your location…");
    navigator.geolocation.getCurrentPosition(function (position) {
      sendMessage(
        { latitude: position.coords.latitude, longitude: position.coords.longitude },
        { from: "user", text: "My location" }
      );
    }, function (error) {
      setStatus(error && error.code === 1
        ? "Location permission was not given. Please type the address instead."
        : "Couldn't find your location. Please type the address instead.", true);
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function newConversation() {
    forget();
    log.textContent = "";
    intro.hidden = false;
    setStatus("Starting a new conversation…");
    startSession()
      .then(function () { setStatus("New conversation started."); })
      .catch(function (e) { setStatus(e.message, true); });
    input.focus();
  }

  // ------------------------------------------------------------------------------------------- wiring

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendTyped();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendTyped();
    }
  });
  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    photoInput.value = ""; // the same photo can be chosen again
    sendPhoto(file);
  });
  locationButton.addEventListener("click", shareLocation);
  newButton.addEventListener("click", newConversation);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  setInterval(function () { if (!document.hidden) poll(); }, POLL_MS);

  load();
  restore();
  setPending(1);
  queue = startSession()
    .then(function () { return poll(); })
    .catch(function (e) { setStatus(e.message, true); })
    .then(function () { setPending(-1); });
})();
