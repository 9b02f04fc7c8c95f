// carebot web chat. Plain JavaScript, no build step, no inline code (the page runs under a
// strict Content-Security-Policy). Bot text is only ever set with textContent.
(function () {
  "use strict";

  var REQUEST_TIMEOUT_MS = 30000;
  var TEXT = {
    botSaid: "carebot said:",
    youSaid: "You said:",
    typing: "carebot is typing\u2026",
    quickReplies: "Choose a reply",
    didNotSend: "Sorry, that didn't send.",
    failed: "Sorry, that didn't send. Please try again.",
    offline: "Sorry, that didn't send. Please check you are online, then try again.",
    tooFast: "You are sending messages very fast. Please wait a moment, then try again.",
    tryAgain: "Try again",
    confirmStartAgain: "Start a new chat? The messages on this screen will be cleared.",
    readAloud: "Read aloud",
    stopReading: "Stop reading"
  };

  var root = document.getElementById("chat");
  var log = document.getElementById("log");
  var typing = document.getElementById("typing");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var startAgain = document.getElementById("start-again");
  var messagesUrl = root.getAttribute("data-messages-url");
  var newConversationUrl = root.getAttribute("data-new-conversation-url");
  var repliesUrl = root.getAttribute("data-replies-url");
  var invite = inviteInAddress();

  var busy = false;
  // Bumped by "Start again", so a reply to the old conversation is not shown in the new one.
  var generation = 0;
  // Who this browser is in the chat is the server's HttpOnly cookie, which this script cannot
  // read or choose. "Start again" asks the server for a new one; messages wait for that.
  var ready = Promise.resolve();

  // ---- drawing the log -------------------------------------------------------------------

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function removeHint() {
    var hint = document.getElementById("log-hint");
    if (hint) {
      hint.parentNode.removeChild(hint);
    }
  }

  // Web addresses; UK phone numbers ("0800 1111", "01632 960123", "116 123", "999"); and
  // SHOUT's text number, so a child can tap rather than copy them.
  var TAPPABLE = new RegExp([
    "(https?:\\/\\/[^\\s<>\"]+[^\\s<>\".,;:!?)\\]'\"])",
    "(\\b0\\d{2,4}(?: ?\\d{3,4}){1,2}\\b|\\b116 ?\\d{3}\\b|\\b(?:999|111)\\b)",
    "(\\b85258\\b)"
  ].join("|"), "g");

  function linkFor(match) {
    var a = document.createElement("a");
    a.textContent = match[0];
    if (match[1]) {
      a.href = match[1];
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    } else if (match[2]) {
      a.href = "tel:" + match[2].replace(/ /g, "");
    } else {
      a.href = "sms:85258?&body=SHOUT";
    }
    return a;
  }

  // Appends text to el with its addresses and numbers as links. No HTML is ever parsed.
  function appendText(el, text) {
    var last = 0;
    var match;
    TAPPABLE.lastIndex = 0;
    while ((match = TAPPABLE.exec(text)) !== null) {
      el.appendChild(document.createTextNode(text.slice(last, match.index)));
      el.appendChild(linkFor(match));
      last = match.index + match[0].length;
    }
    el.appendChild(document.createTextNode(text.slice(last)));
  }

  // carebot's text with content's simple markup: lines starting "- " become a list, so a
  // screen reader says "list, 3 items"; everything else is text with its links.
  function appendMarkup(el, text) {
    var list = null;
    var lines = [];
    function flush() {
      if (lines.length) {
        appendText(el, lines.join("\n"));
        lines = [];
      }
    }
    text.split("\n").forEach(function (line) {
      var item = /^\s*- (.*)$/.exec(line);
      if (!item) {
        list = null;
        lines.push(line);
        return;
      }
      if (!list) {
        flush();
        list = document.createElement("ul");
        el.appendChild(list);
      }
      var li = document.createElement("li");
      appendText(li, item[1]);
      list.appendChild(li);
    });
    flush();
  }

  function addMessage(kind, text) {
    removeHint();
    var item = document.createElement("div");
    item.className = "msg msg--" + kind;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = kind === "bot" ? TEXT.botSaid + " " : TEXT.youSaid + " ";
    var bubble = document.createElement(kind === "bot" ? "div" : "p");
    bubble.className = "bubble";
    if (kind === "bot") {
      appendMarkup(bubble, text);
    } else {
      bubble.textContent = text;
    }
    item.appendChild(label);
    item.appendChild(bubble);
    if (kind === "bot" && speech) {
      item.appendChild(readAloudButton(text));
    }
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  // ---- read aloud and larger text ---------------------------------------------------------

  // The browser's own speech: nothing is sent to a server. Offered only where it exists.
  var speech = window.speechSynthesis && window.SpeechSynthesisUtterance
    ? window.speechSynthesis : null;
  var reading = null;

  function readAloudButton(text) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "read-aloud";
    button.textContent = TEXT.readAloud;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var wasThis = reading === button;
      stopReading();
      if (wasThis) {
        return;
      }
      var utterance = new window.SpeechSynthesisUtterance(text.replace(/^\s*- /gm, ""));
      utterance.lang = "en-GB";
      utterance.onend = function () {
        if (reading === button) {
          stopReading();
        }
      };
      reading = button;
      button.textContent = TEXT.stopReading;
      button.setAttribute("aria-pressed", "true");
      speech.speak(utterance);
    });
    return button;
  }

  function stopReading() {
    if (reading) {
      reading.textContent = TEXT.readAloud;
      reading.setAttribute("aria-pressed", "false");
      reading = null;
    }
    if (speech) {
      speech.cancel();
    }
  }

  // Kept on this device only (localStorage); a shared device's next user can turn it off.
  var largerText = document.getElementById("larger-text");

  function showLargerText(on) {
    document.documentElement.classList.toggle("larger-text", on);
    largerText.setAttribute("aria-pressed", on ? "true" : "false");
  }

  try {
    showLargerText(window.localStorage.getItem("carebot-larger-text") === "1");
  } catch (ignored) { /* storage blocked: the setting lasts for this page only */ }

  largerText.addEventListener("click", function () {
    var on = largerText.getAttribute("aria-pressed") !== "true";
    showLargerText(on);
    try {
      window.localStorage.setItem("carebot-larger-text", on ? "1" : "0");
    } catch (ignored) { /* as above */ }
  });

  function addProblem(text) {
    removeHint();
    var item = document.createElement("p");
    item.className = "msg msg--problem";
    item.textContent = text;
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  // buttons: [{title, payload}] from Rasa. Each press sends payload and shows title.
  function addQuickReplies(buttons) {
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.quickReplies);
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string") {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.textContent = b.title;
      button.addEventListener("click", function (event) {
        if (busy || group.getAttribute("aria-disabled") === "true") {
          return;
        }
        var payload = typeof b.payload === "string" && b.payload ? b.payload : b.title;
        // event.detail is 0 for a keyboard press: keep keyboard users in the text box,
        // but don't pop up the on-screen keyboard for people tapping.
        var fromKeyboard = event.detail === 0;
        setGroupDisabled(group, true);
        send(payload, {
          show: b.title,
          onSuccess: function () {
            removeAllQuickReplies();
            if (fromKeyboard) {
              input.focus();
            }
          },
          onFailure: function () {
            setGroupDisabled(group, false);
          }
        });
      });
      group.appendChild(button);
    });
    if (group.childNodes.length) {
      log.appendChild(group);
      scrollToEnd();
    }
  }

  function setGroupDisabled(group, disabled) {
    group.setAttribute("aria-disabled", disabled ? "true" : "false");
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
      b.setAttribute("aria-disabled", disabled ? "true" : "false");
    });
  }

  function removeAllQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".quick-replies"), function (g) {
      g.parentNode.removeChild(g);
    });
  }

  function setBusy(value) {
    busy = value;
    typing.textContent = value ? TEXT.typing : "";
    root.classList.toggle("is-busy", value);
  }

  // ---- talking to the server -------------------------------------------------------------

  function problemText(status, body) {
    if (status === 429) {
      return TEXT.tooFast;
    }
    // A 400 carries a sentence written for the user (e.g. the message was too long).
    var detail = body && typeof body.error === "string" ? body.error.trim() : "";
    if (status === 400 && detail && detail.length <= 200) {
      return TEXT.didNotSend + " " + detail;
    }
    return TEXT.failed;
  }

  function post(text) {
    return ready.then(function () { return postNow(text); });
  }

  function postNow(text) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS)
      : null;
    return fetch(messagesUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ message: text }),
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok || !Array.isArray(body)) {
          var error = new Error("send failed");
          error.userText = problemText(response.status, body);
          throw error;
        }
        return body;
      });
    }, function () {
      var error = new Error("network");
      error.userText = TEXT.offline;
      throw error;
    }).then(function (body) {
      clearTimeout(timer);
      return body;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  function showReplies(messages) {
    messages.forEach(function (m) {
      if (!m) {
        return;
      }
      if (typeof m.text === "string" && m.text) {
        addMessage("bot", m.text);
      }
      if (Array.isArray(m.buttons) && m.buttons.length) {
        addQuickReplies(m.buttons);
      }
    });
  }

  // Sends text. options.show: what to put in the user's bubble (null: no bubble).
  function send(text, options) {
    if (busy) {
      return false;
    }
    var myGeneration = generation;
    var bubble = options.show ? addMessage("user", options.show) : null;
    setBusy(true);
    post(text).then(function (messages) {
      if (myGeneration !== generation) {
        return;
      }
      setBusy(false);
      if (options.onSuccess) {
        options.onSuccess();
      }
      showReplies(messages);
    }, function (error) {
      if (myGeneration !== generation) {
        return;
      }
      setBusy(false);
      if (bubble && bubble.parentNode) {
        bubble.parentNode.removeChild(bubble);
      }
      addProblem(error.userText || TEXT.failed);
      if (options.onFailure) {
        options.onFailure();
      }
    });
    return true;
  }

  // ---- typing and sending ----------------------------------------------------------------

  function fitInput() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 160) + "px";
  }

  function sendTyped() {
    var text = input.value;
    if (!text.trim() || busy) {
      return;
    }
    input.value = "";
    fitInput();
    send(text.trim(), {
      show: text.trim(),
      onSuccess: removeAllQuickReplies,
      onFailure: function () {
        // Never lose what was typed: put it back, ahead of anything typed since.
        input.value = input.value ? text + "\n" + input.value : text;
        fitInput();
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendTyped();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      sendTyped();
    }
  });

  input.addEventListener("input", fitInput);

  startAgain.addEventListener("click", function () {
    if (!window.confirm(TEXT.confirmStartAgain)) {
      return;
    }
    generation += 1;
    setBusy(false);
    ready = fetch(newConversationUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
      credentials: "same-origin"
    }).then(function () {}, function () {});
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    forgetInvite();
    input.focus();
  });

  // ---- quick exit ------------------------------------------------------------------------

  // As GOV.UK's "Exit this page": the button, or Shift pressed 3 times within 5 seconds,
  // clears the screen, ends the conversation (its cookie stops opening anything) and replaces
  // this page with a neutral site, so Back does not return to the chat.
  var quickExit = document.getElementById("quick-exit");
  var shiftPresses = [];

  function leaveNow() {
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    input.value = "";
    document.title = "";
    try {
      fetch(newConversationUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
        credentials: "same-origin",
        keepalive: true
      }).then(function () {}, function () {});
    } catch (ignored) { /* leaving matters more than tidying up */ }
    window.location.replace(quickExit.href);
  }

  quickExit.addEventListener("click", function (event) {
    event.preventDefault();
    leaveNow();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat) {
      return;
    }
    var now = Date.now();
    shiftPresses = shiftPresses.filter(function (t) { return now - t < 5000; });
    shiftPresses.push(now);
    if (shiftPresses.length >= 3) {
      leaveNow();
    }
  });

  // ---- invite links (/chat#invite=CODE) ---------------------------------------------------

  // The code is after "#", which the browser never sends to a server (or a proxy's logs);
  // this script posts it as the first message.
  function inviteInAddress() {
    var match = /^#invite=([A-Za-z0-9-]{1,64})$/.exec(window.location.hash || "");
    return match ? match[1] : "";
  }

  // Take the code out of the address bar, so reloading doesn't send a used code again
  // and it doesn't stay in the browser history.
  function forgetInvite() {
    invite = "";
    if (/^#invite=/.test(window.location.hash || "")) {
      try {
        window.history.replaceState(null, "", window.location.pathname + window.location.search);
      } catch (e) {
        // Old browser: leave the address alone.
      }
    }
  }

  function sendInvite() {
    var code = invite;
    send(code, {
      show: null,
      onSuccess: forgetInvite,
      onFailure: addInviteRetry
    });
  }

  function addInviteRetry() {
    var group = document.createElement("div");
    group.className = "quick-replies";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "quick-reply";
    button.textContent = TEXT.tryAgain;
    button.addEventListener("click", function () {
      if (busy) {
        return;
      }
      group.parentNode.removeChild(group);
      input.focus();
      sendInvite();
    });
    group.appendChild(button);
    log.appendChild(group);
    scrollToEnd();
  }

  // ---- replies from the IRO ---------------------------------------------------------------

  // A reply from the person's IRO waits on the server until they come back: the page asks for
  // it when it opens, before anything is sent. Nothing waits without a conversation cookie,
  // and a failure here only leaves it for their next message, so it is never shown as one.
  function showWaitingReplies() {
    var myGeneration = generation;
    return fetch(repliesUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: "{}",
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : [];
    }).then(function (body) {
      if (Array.isArray(body) && myGeneration === generation) {
        showReplies(body);
      }
    }, function () {});
  }

  ready = showWaitingReplies();

  if (invite) {
    sendInvite();
  }
})();
