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

  var hostsOnlyButton = document.getElementById("hosts-only");
  var newestFirstButton = document.getElementById("newest-first");
  var jumpButton = document.getElementById("jump-current");
  var searchBox = document.getElementById("room-search");
  var searchCount = document.getElementById("search-count");
  var questionNews = document.getElementById("question-news");
  var pinnedSection = document.getElementById("pinned");
  var pinnedList = document.getElementById("pinned-list");
  var countdown = document.getElementById("countdown");

  var currentQuestion = config.current_question;
  var chatState = config.state;
  var activeFilter = "all";
  var hostsOnly = false;
  var newestFirst = false;
  var searchTerm = "";
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
    if (!tabs || tabs.querySelector('button[data-filter="' + number + '"]')) { return; }
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
    heading.tabIndex = -1;
    group.appendChild(heading);
    group.appendChild(el("ol", "posts"));
    // Question groups stay in number order after the conversation group.
    var before = null;
    var groups = stream.querySelectorAll(".question-group");
    var rank = question === null ? 0 : question;
    for (var i = 0; i < groups.length; i++) {
      var other = groups[i].getAttribute("data-group");
      var otherRank = other === "none" ? 0 : Number(other.slice(1));
      if (newestFirst ? otherRank < rank : otherRank > rank) { before = groups[i]; break; }
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
    applyPostFilters();
    if (!tabs) { return; }
    var buttons = tabs.querySelectorAll("button[data-filter]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].setAttribute("aria-pressed", String(buttons[j].getAttribute("data-filter") === activeFilter));
    }
  }

  if (tabs) {
    tabs.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-filter]");
      if (!button) { return; }
      activeFilter = button.getAttribute("data-filter");
      applyFilter();
    });
  }

  // ---- hosts only, search, newest first, jump ------------------------------------------------

  function postMatches(item) {
    if (hostsOnly && !item.classList.contains("is-host")) { return false; }
    if (!searchTerm) { return true; }
    var own = item.querySelector(":scope > .text");
    var who = item.querySelector(":scope > .meta");
    var haystack = ((own ? own.textContent : "") + " " + (who ? who.textContent : "")).toLowerCase();
    return haystack.indexOf(searchTerm) !== -1;
  }

  // A post stays when it matches or one of its replies does (so a match keeps its thread).
  function filterPost(item) {
    var anyChild = false;
    var replies = item.querySelectorAll(":scope > ol.replies > li.post");
    for (var i = 0; i < replies.length; i++) {
      if (filterPost(replies[i])) { anyChild = true; }
    }
    var matches = postMatches(item);
    item.classList.toggle("filtered-out", !matches && !anyChild);
    item.classList.toggle("context-only", !matches && anyChild);
    return matches || anyChild;
  }

  function applyPostFilters() {
    var filtering = hostsOnly || Boolean(searchTerm);
    // Nothing to do on each new post while no filter is on (and none was on before).
    if (!filtering && !stream.classList.contains("filtering")) { return; }
    var top = stream.querySelectorAll(".question-group > ol.posts > li.post");
    var shown = 0;
    for (var i = 0; i < top.length; i++) {
      filterPost(top[i]);
    }
    var all = stream.querySelectorAll("li.post");
    for (var j = 0; j < all.length; j++) {
      if (!all[j].classList.contains("filtered-out") && !all[j].classList.contains("context-only")) { shown += 1; }
    }
    stream.classList.toggle("filtering", filtering);
    if (searchCount) {
      searchCount.textContent = filtering ? shown + (shown === 1 ? " post matches" : " posts match") : "";
    }
  }

  function reorder() {
    // The DOM order is the reading order: newest first reverses the groups and each group's posts.
    var groups = Array.prototype.slice.call(stream.querySelectorAll(":scope > .question-group"));
    groups.sort(function (a, b) {
      var ka = a.getAttribute("data-group"), kb = b.getAttribute("data-group");
      var ra = ka === "none" ? 0 : Number(ka.slice(1)), rb = kb === "none" ? 0 : Number(kb.slice(1));
      return newestFirst ? rb - ra : ra - rb;
    });
    groups.forEach(function (group) {
      stream.appendChild(group);
      var list = group.querySelector(":scope > ol.posts");
      var items = Array.prototype.slice.call(list.children);
      items.sort(function (a, b) { return newestFirst ? postOrder(b, a) : postOrder(a, b); });
      items.forEach(function (item) { list.appendChild(item); });
    });
  }

  function postOrder(a, b) {
    var ta = a.querySelector(":scope > .meta time"), tb = b.querySelector(":scope > .meta time");
    var da = ta ? Date.parse(ta.getAttribute("datetime")) : 0, db = tb ? Date.parse(tb.getAttribute("datetime")) : 0;
    if (da !== db) { return da - db; }
    return Number(a.getAttribute("data-post-id")) - Number(b.getAttribute("data-post-id"));
  }

  function toggle(button, on) {
    button.setAttribute("aria-pressed", String(on));
  }

  if (hostsOnlyButton) {
    hostsOnlyButton.addEventListener("click", function () {
      hostsOnly = !hostsOnly;
      toggle(hostsOnlyButton, hostsOnly);
      applyPostFilters();
    });
  }
  if (newestFirstButton) {
    newestFirstButton.addEventListener("click", function () {
      newestFirst = !newestFirst;
      toggle(newestFirstButton, newestFirst);
      reorder();
    });
  }
  if (searchBox) {
    searchBox.addEventListener("input", function () {
      searchTerm = searchBox.value.trim().toLowerCase();
      applyPostFilters();
    });
  }
  function setSearch(term) {
    if (!searchBox) { return; }
    searchBox.value = term;
    searchTerm = term.trim().toLowerCase();
    applyPostFilters();
  }
  if (jumpButton) {
    jumpButton.addEventListener("click", function () {
      if (!currentQuestion) { return; }
      activeFilter = activeFilter === "all" || activeFilter === String(currentQuestion) ? activeFilter : "all";
      applyFilter();
      var heading = document.getElementById("heading-q" + currentQuestion);
      if (heading) { heading.scrollIntoView({ block: "start" }); heading.focus({ preventScroll: true }); }
    });
  }

  // ---- links, mentions and hashtags in posts -----------------------------------------------

  // A URL (http or https only), a mention (@name or @name@host) or a hashtag; built as DOM nodes.
  var TOKENS = /(https?:\/\/[^\s<>"]+)|(^|[^\w@\/])(@[A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)|(^|[^\p{L}\p{N}_&#\/])(#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/gu;
  var TRAILING = /[.,;:!?)\]}'"»…]+$/u;

  function safeHref(candidate) {
    try {
      var url = new URL(candidate);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function searchLink(label, term) {
    var link = el("a", "search-link", label);
    link.href = "?q=" + encodeURIComponent(term);
    link.setAttribute("data-search", term);
    return link;
  }

  var linked = typeof WeakSet !== "undefined" ? new WeakSet() : null;

  function linkify(paragraph) {
    if (!paragraph || (linked && linked.has(paragraph))) { return; }
    if (linked) { linked.add(paragraph); }
    var source = paragraph.textContent;
    var out = document.createDocumentFragment();
    var last = 0;
    var found;
    TOKENS.lastIndex = 0;
    while ((found = TOKENS.exec(source)) !== null) {
      var start = found.index, token, node = null;
      if (found[1]) {
        token = found[1];
        var trail = token.match(TRAILING);
        if (trail) { token = token.slice(0, token.length - trail[0].length); }
        var href = safeHref(token);
        if (href) {
          node = el("a", null, token);
          node.href = href;
          node.rel = "nofollow ugc noopener";
        }
      } else if (found[3]) {
        start += found[2].length;
        token = found[3];
        node = searchLink(token, token);
      } else if (found[5]) {
        start += found[4].length;
        token = found[5];
        node = searchLink(token, token);
      }
      if (!node) { continue; }
      out.appendChild(document.createTextNode(source.slice(last, start)));
      out.appendChild(node);
      last = start + token.length;
      TOKENS.lastIndex = last;
    }
    if (last === 0) { return; }
    out.appendChild(document.createTextNode(source.slice(last)));
    while (paragraph.firstChild) { paragraph.removeChild(paragraph.firstChild); }
    paragraph.appendChild(out);
  }

  // The server's posts are linked in slices after the page is up, top first, so a long chat
  // becomes interactive as fast as before (2,000 posts: a few frames).
  var LINKIFY_SLICE = 200;

  function linkifyAll(root) {
    var paragraphs = root.querySelectorAll("li.post > p.text, #topic-text");
    var next = 0;
    function slice() {
      var end = Math.min(next + LINKIFY_SLICE, paragraphs.length);
      for (; next < end; next++) { linkify(paragraphs[next]); }
      if (next < paragraphs.length) { window.setTimeout(slice, 0); }
    }
    slice();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.search-link");
    if (!link || !searchBox) { return; }
    event.preventDefault();
    setSearch(link.getAttribute("data-search"));
    searchBox.focus();
  });

  // ---- spotlight: pinned at the top --------------------------------------------------------

  function pin(item) {
    if (!pinnedList || !item) { return; }
    var postId = item.getAttribute("data-post-id");
    var entry = pinnedList.querySelector('[data-pinned-of="' + postId + '"]') || el("li", "post is-spotlight");
    while (entry.firstChild) { entry.removeChild(entry.firstChild); }
    entry.setAttribute("data-pinned-of", postId);
    var meta = el("div", "meta");
    meta.appendChild(el("span", "who", item.querySelector(":scope > .meta .who").textContent));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("span", "handle", "@" + item.getAttribute("data-author")));
    meta.appendChild(document.createTextNode(" "));
    var context = el("a", null, "in context");
    context.href = "#post-" + postId;
    meta.appendChild(context);
    entry.appendChild(meta);
    var words = el("p", "text", item.querySelector(":scope > .text").textContent);
    entry.appendChild(words);
    linkify(words);
    if (!entry.parentNode) { pinnedList.appendChild(entry); }
    pinnedSection.hidden = false;
  }

  function unpin(postId) {
    if (!pinnedList) { return; }
    var entry = pinnedList.querySelector('[data-pinned-of="' + postId + '"]');
    if (entry) { entry.remove(); }
    pinnedSection.hidden = pinnedList.children.length === 0;
  }

  // ---- posts ------------------------------------------------------------------------------

  function fillPost(item, post) {
    var replies = item.querySelector(":scope > ol.replies") || el("ol", "replies");
    while (item.firstChild) { item.removeChild(item.firstChild); }
    item.className = "post" + (post.is_host ? " is-host" : "") + (post.spotlight ? " is-spotlight" : "");
    item.id = "post-" + post.id;
    item.setAttribute("data-post-id", String(post.id));
    item.setAttribute("data-author", post.author);
    item.setAttribute("data-created", post.created_at);
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
    var words = el("p", "text", post.text);
    item.appendChild(words);
    linkify(words);
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
      unpin(post.id);
      return false;
    }
    if (existing) {
      fillPost(existing, post);
      if (post.spotlight) { pin(existing); } else { unpin(post.id); }
      applyPostFilters();
      return false;
    }
    var item = el("li");
    fillPost(item, post);
    var parent = post.reply_to ? document.getElementById("post-" + post.reply_to) : null;
    if (parent) {
      insertInOrder(parent.querySelector(":scope > ol.replies"), item, false);
    } else {
      var list = ensureGroup(post.question === undefined ? null : post.question).querySelector("ol.posts");
      insertInOrder(list, item, newestFirst);
    }
    if (post.spotlight) { pin(item); }
    applyPostFilters();
    return true;
  }

  // A post's place is the page's order, by time then id (the server renders it so): a new post
  // goes last (first when newest-first) at no cost, and a post that comes back (unhidden, or a
  // late arrival from another network) goes where it belongs.
  function postKey(item) {
    return [Date.parse(item.getAttribute("data-created") || "") || 0, Number(item.getAttribute("data-post-id"))];
  }

  function isBefore(a, b) { return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]); }

  function insertInOrder(list, item, descending) {
    var key = postKey(item);
    var items = list.querySelectorAll(":scope > li.post");
    var edge = descending ? items[0] : items[items.length - 1];
    if (!edge || isBefore(postKey(edge), key)) {
      list.insertBefore(item, descending ? list.firstChild : null);
      return;
    }
    for (var i = 0; i < items.length; i++) {
      var other = postKey(items[i]);
      if (descending ? isBefore(other, key) : isBefore(key, other)) {
        list.insertBefore(item, items[i]);
        return;
      }
    }
    list.appendChild(item);
  }

  function setSpotlight(postId, on) {
    var item = document.getElementById("post-" + postId);
    if (!item) { if (!on) { unpin(postId); } return; }
    item.classList.toggle("is-spotlight", on);
    var badge = item.querySelector(":scope > .meta > .badge-spotlight");
    if (on && !badge) {
      item.querySelector(":scope > .meta .handle").after(el("span", "badge badge-spotlight", "Spotlight"));
    } else if (!on && badge) {
      badge.remove();
    }
    if (on) { pin(item); } else { unpin(postId); }
  }

  // ---- pause ------------------------------------------------------------------------------

  function showHeld() {
    // One accessible name ("Pause"); aria-pressed says whether it is on.
    newCount.textContent = paused ? heldNewPosts + " new" : "";
    pauseButton.setAttribute("aria-pressed", String(paused));
  }

  if (pauseButton) pauseButton.addEventListener("click", function () {
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
        var isNewQuestion = !document.getElementById("group-q" + data.number) || (currentQuestion || 0) < data.number;
        currentQuestion = Math.max(currentQuestion || 0, data.number);
        ensureGroup(data.number, data.text);
        addQuestionOption(data.number, data.text);
        if (jumpButton) { jumpButton.hidden = false; }
        if (isNewQuestion && questionNews) {
          questionNews.textContent = "New question: Q" + data.number + ". " + data.text;
        }
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
      unpin(data.post_id || data.id);
    } else if (type === "unhide") {
      // A hide undone: the event carries the restored post, which takes its place again.
      if (data.post) {
        postsFromStream[data.post.id] = true;
        placePost(data.post);
      }
    } else if (type === "spotlight") {
      setSpotlight(data.post_id || data.id, data.spotlight !== false);
    } else if (type === "state") {
      applyState(data);
    }
  }

  function receive(type, data) {
    // Moderation, state and questions apply at once (a new question is announced); only posts
    // wait while the reader pauses.
    if (paused && type === "post") {
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
    if (chatState === "scheduled" && state !== "scheduled") {
      // The chat started: the toolbar, the compose box and the first posts come with the page.
      window.location.reload();
      return;
    }
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
        "The live hour has ended: pick the question you answer, and your post lands under it marked late.";
      if (questionField) { questionField.hidden = false; }
    }
    updateCounter();
  }

  var RECONNECT_NOTICE_MS = 1000;
  var reconnectNotice = null;

  function connect() {
    // Always name the resume point (0 too): without one the stream starts at the present,
    // and whatever happened between this page and the connection would be lost.
    var url = "/api/v1/chats/" + config.chat_id + "/events?after=" + lastEventApplied;
    var source = new EventSource(url);
    ["post", "question", "state", "hide", "unhide", "spotlight"].forEach(function (type) {
      source.addEventListener(type, function (event) {
        var id = Number(event.lastEventId);
        if (id && id <= lastEventApplied) { return; }
        if (id) { lastEventApplied = id; }
        receive(type, JSON.parse(event.data));
      });
    });
    source.addEventListener("resync", function () { window.location.reload(); });
    source.addEventListener("open", function () {
      window.clearTimeout(reconnectNotice);
      reconnectNotice = null;
      if (connection) { connection.textContent = ""; }
      document.body.setAttribute("data-live", "connected");
    });
    source.addEventListener("error", function () {
      // EventSource reconnects by itself and sends Last-Event-ID, so nothing is lost meanwhile;
      // a blip shorter than a second is not worth a word on screen.
      document.body.setAttribute("data-live", "reconnecting");
      if (reconnectNotice === null) {
        reconnectNotice = window.setTimeout(function () {
          reconnectNotice = null;
          if (connection && document.body.getAttribute("data-live") === "reconnecting") {
            connection.textContent = "Reconnecting…";
          }
        }, RECONNECT_NOTICE_MS);
      }
    });
  }

  // ---- compose ----------------------------------------------------------------------------

  var composeText = document.getElementById("compose-text");
  var composeCounter = document.getElementById("compose-counter");
  var composeAuto = document.getElementById("compose-auto");
  var composeError = document.getElementById("compose-error");
  var composeReplyTo = document.getElementById("compose-reply-to");
  var composePreview = document.getElementById("compose-preview");
  var composePreviewLine = document.getElementById("compose-preview-line");
  var questionField = document.getElementById("compose-question-field");
  var questionSelect = document.getElementById("compose-question");

  function pickedQuestion() {
    if (!questionSelect || chatState !== "late_answers" || !questionSelect.value) { return null; }
    return Number(questionSelect.value);
  }

  function addQuestionOption(number, words) {
    if (!questionSelect || questionSelect.querySelector('option[value="' + number + '"]')) { return; }
    var label = "Q" + number + ". " + (words.length > 60 ? words.slice(0, 57) + "..." : words);
    var option = el("option", null, label);
    option.value = String(number);
    questionSelect.appendChild(option);
  }

  // What the server will store (domain.compose.compose_post): the picked question's tag, then,
  // with the box ticked, the current question's tag (live hour, not for hosts or replies) and
  // the hashtag.
  function finalText() {
    var typed = composeText.value;
    if (!typed.trim()) { return ""; }
    var picked = pickedQuestion();
    if (picked) { typed = text.complete(typed, { currentQuestion: picked, tag: "", isReply: false }); }
    if (!composeAuto.checked) { return typed.trim(); }
    return text.complete(typed, {
      currentQuestion: chatState === "live" && !config.viewer_is_host ? currentQuestion : null,
      tag: config.tag,
      isReply: Boolean(composeReplyTo && composeReplyTo.value),
    });
  }

  function updateCounter() {
    if (!compose) { return; }
    var body = finalText();
    var counted = text.count(config.char_rule, body);
    var over = counted.length - config.char_limit;
    var words = counted.length + " / " + config.char_limit;
    if (!body) {
      words = "0 / " + config.char_limit + " characters";
    } else if (counted.bytes !== null && counted.bytes > counted.maxBytes) {
      words += " — " + counted.bytes + " bytes, over Bluesky's " + counted.maxBytes.toLocaleString("en") + "-byte limit";
    } else if (over > 0) {
      words += " — " + over + " over";
    }
    composeCounter.textContent = words;
    composeCounter.classList.toggle("over", !counted.fits(config.char_limit) && Boolean(body));
    composePreviewLine.hidden = !body;
    composePreview.textContent = body;
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
    composeText.addEventListener("input", function () {
      // An error about the text as it was is stale once the text changes.
      composeError.textContent = "";
      var flashed = compose.querySelector(".flash");
      if (flashed) { flashed.remove(); }
      updateCounter();
    });
    composeAuto.addEventListener("change", updateCounter);
    if (questionSelect) { questionSelect.addEventListener("change", updateCounter); }
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
      var counted = text.count(config.char_rule, body);
      if (counted.bytes !== null && counted.bytes > counted.maxBytes) {
        composeError.textContent = "Not posted: " + counted.bytes + " bytes in UTF-8; Bluesky takes at most " +
          counted.maxBytes + ". Shorten it.";
        return;
      }
      if (counted.length > config.char_limit) {
        composeError.textContent = "Not posted: " + counted.length + " characters counted, the limit is " +
          config.char_limit + ". Shorten it by " + (counted.length - config.char_limit) + ".";
        return;
      }
      var payload = { text: composeText.value, auto: composeAuto.checked };
      if (pickedQuestion()) { payload.question = pickedQuestion(); }
      if (composeReplyTo.value) { payload.reply_to = Number(composeReplyTo.value); }
      var crossTo = [];
      document.querySelectorAll(".compose-cross-post:checked").forEach(function (box) { crossTo.push(box.value); });
      if (crossTo.length) { payload.cross_post = crossTo; }
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
            if (questionSelect) { questionSelect.value = ""; }
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

  // ---- countdown (upcoming chat) ------------------------------------------------------------

  function countdownWords(seconds) {
    if (seconds <= 0) { return "Starting any moment now"; }
    var minutes = Math.floor(seconds / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    var parts = [];
    if (days) { parts.push(days + (days === 1 ? " day" : " days")); }
    if (hours) { parts.push(hours + (hours === 1 ? " hour" : " hours")); }
    if (!days && (minutes || !hours)) { parts.push(minutes + (minutes === 1 ? " minute" : " minutes")); }
    return "Starts in " + parts.join(" ");
  }

  if (countdown) {
    var startsAt = Date.parse(countdown.getAttribute("data-starts-at"));
    var tick = function () { countdown.textContent = countdownWords((startsAt - Date.now()) / 1000); };
    window.setInterval(tick, 30000);
  }

  linkifyAll(document);
  var initialSearch = new URLSearchParams(window.location.search).get("q");
  if (initialSearch) { setSearch(initialSearch); }

  window.hashchatRoom = { receive: receive };
  connect();
})();
