// The live room: posts rendered by the server are adopted as they are; new ones arrive over
// Server-Sent Events and are built with DOM APIs (never innerHTML), so user text stays text.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("room-config").textContent);
  var stream = document.getElementById("stream");
  var tabs = document.getElementById("tabs");
  var pauseButton = document.getElementById("pause");
  var newCount = document.getElementById("new-count");
  var connection = document.getElementById("connection");
  var stateLabel = document.getElementById("chat-state");
  var compose = document.getElementById("compose");
  var text = window.hashchatText;

  var currentQuestion = config.current_question;
  var chatState = config.state;
  var activeFilter = "all";
  var paused = false;
  var held = [];
  var heldNewPosts = 0;
  // The newest event id applied: the page shows everything up to config.last_event_id, and a
  // frame at or below it (a replay after a reconnect) is never applied twice.
  var lastEventApplied = Number(config.last_event_id) || 0;
  // Posts the stream has told about (shown or hidden): the answer to our own POST, arriving
  // after its event (or after a hide), must not bring the post back or add it twice.
  var postsFromStream = {};

  var timeFormat = new Intl.DateTimeFormat(undefined, {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.viewer_zone || undefined,
  });

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = String(content); }
    return node;
  }

  // ---- groups and filter tabs -------------------------------------------------------------

  function groupKey(question) {
    return question === null || question === undefined ? "none" : "q" + question;
  }

  function ensureTab(number) {
    if (tabs.querySelector('button[data-filter="' + number + '"]')) { return; }
    var item = el("li");
    var button = el("button", null, "Q" + number);
    button.type = "button";
    button.setAttribute("data-filter", String(number));
    button.setAttribute("aria-pressed", "false");
    item.appendChild(button);
    tabs.appendChild(item);
  }

  function ensureGroup(question, questionText) {
    var key = groupKey(question);
    var group = document.getElementById("group-" + key);
    if (group) {
      if (questionText) { group.querySelector("h2").textContent = "Q" + question + ". " + questionText; }
      return group;
    }
    group = el("section", "question-group");
    group.id = "group-" + key;
    group.setAttribute("data-group", key);
    group.setAttribute("aria-labelledby", "heading-" + key);
    var heading = el("h2", null, question === null ? "Conversation" : "Q" + question + ". " + (questionText || ""));
    heading.id = "heading-" + key;
    group.appendChild(heading);
    group.appendChild(el("ol", "posts"));
    // Question groups stay in number order after the conversation group.
    var before = null;
    var groups = stream.querySelectorAll(".question-group");
    for (var i = 0; i < groups.length; i++) {
      var other = groups[i].getAttribute("data-group");
      if (other !== "none" && Number(other.slice(1)) > question) { before = groups[i]; break; }
    }
    stream.insertBefore(group, before);
    if (question !== null) { ensureTab(question); }
    applyFilter();
    return group;
  }

  function applyFilter() {
    var groups = stream.querySelectorAll(".question-group");
    for (var i = 0; i < groups.length; i++) {
      var key = groups[i].getAttribute("data-group");
      groups[i].hidden = activeFilter !== "all" && key !== "q" + activeFilter;
    }
    var buttons = tabs.querySelectorAll("button[data-filter]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].setAttribute("aria-pressed", String(buttons[j].getAttribute("data-filter") === activeFilter));
    }
  }

  tabs.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-filter]");
    if (!button) { return; }
    activeFilter = button.getAttribute("data-filter");
    applyFilter();
  });

  // ---- posts ------------------------------------------------------------------------------

  function fillPost(item, post) {
    var replies = item.querySelector(":scope > ol.replies") || el("ol", "replies");
    while (item.firstChild) { item.removeChild(item.firstChild); }
    item.className = "post" + (post.is_host ? " is-host" : "") + (post.spotlight ? " is-spotlight" : "");
    item.id = "post-" + post.id;
    item.setAttribute("data-post-id", String(post.id));
    item.setAttribute("data-author", post.author);
    if (post.question !== null && post.question !== undefined) {
      item.setAttribute("data-question", String(post.question));
    }
    var meta = el("div", "meta");
    meta.appendChild(el("span", "who", post.display_name || post.author));
    meta.appendChild(el("span", "handle", "@" + post.author));
    if (post.is_host) { meta.appendChild(el("span", "badge badge-host", "Host")); }
    if (post.spotlight) { meta.appendChild(el("span", "badge badge-spotlight", "Spotlight")); }
    if (post.question !== null && post.question !== undefined) {
      meta.appendChild(el("span", "answer-of", "A" + post.question + (post.part || "")));
    }
    if (post.late) { meta.appendChild(el("span", "badge badge-late", "late")); }
    if (post.inferred) {
      var inferred = el("span", "badge badge-inferred", "inferred");
      inferred.title = "No answer tag: attributed to the question that was current";
      meta.appendChild(inferred);
    }
    var when = el("time", null, timeFormat.format(new Date(post.created_at)));
    when.setAttribute("datetime", post.created_at);
    meta.appendChild(when);
    item.appendChild(meta);
    item.appendChild(el("p", "text", post.text));
    if (compose) {
      var actions = el("div", "actions");
      var reply = el("button", "link reply-button", "Reply");
      reply.type = "button";
      reply.setAttribute("data-reply-to", String(post.id));
      actions.appendChild(reply);
      item.appendChild(actions);
    }
    item.appendChild(replies);
  }

  function placePost(post) {
    var existing = document.getElementById("post-" + post.id);
    if (post.hidden) {
      if (existing) { existing.remove(); }
      return false;
    }
    if (existing) {
      fillPost(existing, post);
      return false;
    }
    var item = el("li");
    fillPost(item, post);
    var parent = post.reply_to ? document.getElementById("post-" + post.reply_to) : null;
    if (parent) {
      parent.querySelector(":scope > ol.replies").appendChild(item);
    } else {
      ensureGroup(post.question === undefined ? null : post.question).querySelector("ol.posts").appendChild(item);
    }
    return true;
  }

  function setSpotlight(postId, on) {
    var item = document.getElementById("post-" + postId);
    if (!item) { return; }
    item.classList.toggle("is-spotlight", on);
    var badge = item.querySelector(":scope > .meta > .badge-spotlight");
    if (on && !badge) {
      item.querySelector(":scope > .meta .handle").after(el("span", "badge badge-spotlight", "Spotlight"));
    } else if (!on && badge) {
      badge.remove();
    }
  }

  // ---- pause ------------------------------------------------------------------------------

  function showHeld() {
    newCount.textContent = paused ? heldNewPosts + " new" : "";
    pauseButton.textContent = paused ? "Resume" : "Pause";
    pauseButton.setAttribute("aria-pressed", String(paused));
  }

  pauseButton.addEventListener("click", function () {
    paused = !paused;
    if (!paused) {
      var queue = held;
      held = [];
      heldNewPosts = 0;
      for (var i = 0; i < queue.length; i++) { apply(queue[i].type, queue[i].data); }
    }
    showHeld();
  });

  // ---- events -----------------------------------------------------------------------------

  function apply(type, data) {
    if (type === "post") {
      postsFromStream[data.id] = true;
      placePost(data);
    } else if (type === "question") {
      if (data.asked_at) {
        currentQuestion = Math.max(currentQuestion || 0, data.number);
        ensureGroup(data.number, data.text);
        updateCounter();
      } else {
        // An edit of a question not asked yet: only an existing group needs the new words.
        var waiting = document.getElementById("group-q" + data.number);
        if (waiting) { waiting.querySelector("h2").textContent = "Q" + data.number + ". " + data.text; }
      }
    } else if (type === "hide") {
      postsFromStream[data.post_id || data.id] = true;
      var hidden = document.getElementById("post-" + (data.post_id || data.id));
      if (hidden) { hidden.remove(); }
    } else if (type === "spotlight") {
      setSpotlight(data.post_id || data.id, data.spotlight !== false);
    } else if (type === "state") {
      applyState(data);
    }
  }

  function receive(type, data) {
    // Moderation and state apply at once; only new content waits while the reader pauses.
    if (paused && (type === "post" || type === "question")) {
      var isNew = type === "post" && !document.getElementById("post-" + data.id) && !data.hidden;
      held.push({ type: type, data: data });
      if (isNew) { heldNewPosts += 1; }
      showHeld();
      return;
    }
    apply(type, data);
  }

  function applyState(data) {
    var state = data.state;
    if (!state) { return; }
    chatState = state;
    var waitingNote = document.getElementById("scheduled-note");
    if (waitingNote && state !== "scheduled") { waitingNote.remove(); }
    if (compose && (state === "live" || state === "late_answers")) { compose.hidden = false; }
    stateLabel.textContent = data.state_label || state.replace("_", " ");
    stateLabel.className = "state state-" + state;
    if (data.current_question !== undefined) { currentQuestion = data.current_question; }
    if (state === "closed" && compose) {
      var note = el("p", "card", "Comments are closed: this chat is read-only.");
      note.id = "closed-note";
      compose.replaceWith(note);
      compose = null;
      var replyButtons = stream.querySelectorAll(".reply-button");
      for (var i = 0; i < replyButtons.length; i++) { replyButtons[i].remove(); }
    } else if (state === "late_answers" && compose) {
      document.getElementById("compose-hint").textContent =
        "The live hour has ended: your answer lands under its question marked late.";
    }
    updateCounter();
  }

  function connect() {
    // Always name the resume point (0 too): without one the stream starts at the present,
    // and whatever happened between this page and the connection would be lost.
    var url = "/api/v1/chats/" + config.chat_id + "/events?after=" + lastEventApplied;
    var source = new EventSource(url);
    ["post", "question", "state", "hide", "spotlight"].forEach(function (type) {
      source.addEventListener(type, function (event) {
        var id = Number(event.lastEventId);
        if (id && id <= lastEventApplied) { return; }
        if (id) { lastEventApplied = id; }
        receive(type, JSON.parse(event.data));
      });
    });
    source.addEventListener("resync", function () { window.location.reload(); });
    source.addEventListener("open", function () {
      connection.textContent = "";
      document.body.setAttribute("data-live", "connected");
    });
    source.addEventListener("error", function () {
      // EventSource reconnects by itself and sends Last-Event-ID, so nothing is lost meanwhile.
      connection.textContent = "Reconnecting…";
      document.body.setAttribute("data-live", "reconnecting");
    });
  }

  // ---- compose ----------------------------------------------------------------------------

  var composeText = document.getElementById("compose-text");
  var composeCounter = document.getElementById("compose-counter");
  var composeAuto = document.getElementById("compose-auto");
  var composeError = document.getElementById("compose-error");
  var composeReplyTo = document.getElementById("compose-reply-to");

  function finalText() {
    // The server adds the answer tag during the live hour only.
    var options = {
      currentQuestion: chatState === "live" ? currentQuestion : null,
      tag: config.tag,
      isReply: Boolean(composeReplyTo && composeReplyTo.value),
    };
    return composeAuto.checked ? text.complete(composeText.value, options) : composeText.value.trim();
  }

  function updateCounter() {
    if (!compose) { return; }
    var used = text.measure(config.char_rule, finalText());
    var over = used - config.char_limit;
    composeCounter.textContent = used + " / " + config.char_limit + (over > 0 ? " — " + over + " over" : "");
    composeCounter.classList.toggle("over", over > 0);
  }

  function setReply(postId) {
    var parent = document.getElementById("post-" + postId);
    composeReplyTo.value = postId ? String(postId) : "";
    var banner = document.getElementById("compose-replying");
    banner.hidden = !postId;
    document.getElementById("compose-replying-who").textContent = parent ? "@" + parent.getAttribute("data-author") : "";
    updateCounter();
  }

  if (compose) {
    composeText.addEventListener("input", updateCounter);
    composeAuto.addEventListener("change", updateCounter);
    document.getElementById("compose-cancel-reply").addEventListener("click", function () { setReply(null); });
    stream.addEventListener("click", function (event) {
      var button = event.target.closest(".reply-button");
      if (!button || !compose) { return; }
      setReply(button.getAttribute("data-reply-to"));
      composeText.focus();
    });
    compose.addEventListener("submit", function (event) {
      event.preventDefault();
      composeError.textContent = "";
      var body = finalText();
      if (!body) { composeError.textContent = "Write something first."; return; }
      var used = text.measure(config.char_rule, body);
      if (used > config.char_limit) {
        composeError.textContent = "Not posted: " + used + " characters counted, the limit is " +
          config.char_limit + ". Shorten it by " + (used - config.char_limit) + ".";
        return;
      }
      var payload = { text: composeText.value, auto: composeAuto.checked };
      if (composeReplyTo.value) { payload.reply_to = Number(composeReplyTo.value); }
      var send = document.getElementById("compose-send");
      send.disabled = true;
      fetch("/api/v1/chats/" + config.chat_id + "/posts", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": config.csrf_token },
        body: JSON.stringify(payload),
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 201) {
            composeText.value = "";
            setReply(null);
            if (!postsFromStream[data.id]) { placePost(data); }
          } else {
            composeError.textContent = "Not posted: " + describe(data, response.status);
          }
        });
      }).catch(function () {
        composeError.textContent = "Not posted: the server could not be reached. Try again.";
      }).finally(function () {
        send.disabled = false;
        updateCounter();
      });
    });
    updateCounter();
  }

  function describe(data, status) {
    if (data && typeof data.detail === "string") { return data.detail; }
    if (data && Array.isArray(data.detail) && data.detail.length) { return data.detail[0].msg || "invalid input"; }
    return "the server answered " + status + ".";
  }

  window.hashchatRoom = { receive: receive };
  connect();
})();
