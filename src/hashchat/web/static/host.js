// Host console: every button is a plain form (it works without JavaScript). This script keeps
// the moderation list, the state and the comments countdown current from the chat's event
// stream, and reloads the console when the plan changes, never while the host is typing and
// never once she has submitted a form (a reload then would cancel the navigation that carries
// the action's confirmation).
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("host-config").textContent);
  var list = document.getElementById("moderation-list");
  var stateLabel = document.getElementById("chat-state");
  var noticeBox = document.getElementById("console-notice");
  var typing = false;
  var leaving = false;
  var source = null;

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("[data-keep-typing]")) { typing = true; }
  });
  document.addEventListener("submit", function () {
    leaving = true;
    if (source) { source.close(); }
  });

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = String(content); }
    return node;
  }

  function actionForm(path, label, css, fields) {
    var form = el("form");
    form.method = "post";
    form.action = "/chats/" + config.chat_id + "/host/" + path;
    var values = Object.assign({ csrf_token: config.csrf_token }, fields || {});
    Object.keys(values).forEach(function (name) {
      var input = el("input");
      input.type = "hidden";
      input.name = name;
      input.value = values[name];
      form.appendChild(input);
    });
    var button = el("button", css, label);
    button.type = "submit";
    form.appendChild(button);
    return form;
  }

  function buttonsFor(post) {
    var row = el("div", "button-row");
    if (post.hidden) {
      row.appendChild(actionForm("posts/" + post.id + "/unhide", "Unhide", "secondary small"));
    } else {
      row.appendChild(actionForm("posts/" + post.id + "/spotlight",
        post.spotlight ? "Remove spotlight" : "Spotlight", "secondary small",
        { on: post.spotlight ? "false" : "true" }));
      row.appendChild(actionForm("posts/" + post.id + "/hide", "Hide", "secondary small"));
    }
    if (config.host_names.indexOf(post.author) < 0) {
      row.appendChild(actionForm("block", "Block @" + post.author + "…", "danger small", { user: post.author }));
    }
    return row;
  }

  function addPost(post) {
    // A replayed post that has been hidden since carries no text: mark it, never add it empty.
    if (post.hidden) { setHidden(post.id, true); return; }
    if (document.getElementById("mod-post-" + post.id)) { return; }
    var empty = document.getElementById("moderation-empty");
    if (empty) { empty.remove(); }
    var item = el("li", "post");
    item.id = "mod-post-" + post.id;
    item.setAttribute("data-author", post.author);
    var meta = el("div", "meta");
    meta.appendChild(el("span", "who", post.display_name || post.author));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("span", "handle", "@" + post.author));
    if (post.late) { meta.appendChild(el("span", "badge badge-late", "late")); }
    item.appendChild(meta);
    item.appendChild(el("p", "text", post.text));
    item.appendChild(buttonsFor(post));
    list.insertBefore(item, list.firstChild);
  }

  function setHidden(postId, hidden, post) {
    var item = document.getElementById("mod-post-" + postId);
    if (!item) { if (post && !hidden) { addPost(post); } return; }
    if (Boolean(item.getAttribute("data-hidden")) === hidden) { return; }
    var badge = item.querySelector(".meta .badge-hidden-state");
    if (hidden) {
      item.setAttribute("data-hidden", "true");
      if (!badge) { item.querySelector(".meta").appendChild(el("span", "badge badge-hidden-state", "hidden")); }
    } else {
      item.removeAttribute("data-hidden");
      if (badge) { badge.remove(); }
      if (post) { item.querySelector(".text").textContent = post.text; }
    }
    var row = item.querySelector(".button-row");
    var author = post ? post.author : (item.querySelector(".handle").textContent || "").replace(/^@/, "");
    var fresh = buttonsFor({ id: postId, hidden: hidden, spotlight: item.classList.contains("is-spotlight"), author: author });
    if (row) { row.replaceWith(fresh); } else { item.appendChild(fresh); }
  }

  function reloadWhenIdle(event) {
    // A replayed event the page already reflects must not reload it (that would loop).
    if (Number(event.lastEventId) <= Number(config.last_event_id || 0)) { return; }
    if (leaving) { return; }
    var data = event.data ? JSON.parse(event.data) : {};
    if (data.state) { stateLabel.textContent = data.state.replace("_", " "); }
    if (typing) {
      noticeBox.textContent = "";
      var note = el("p", "flash", "The chat changed. Save what you are typing, then reload the page to see it.");
      noticeBox.appendChild(note);
      return;
    }
    window.location.reload();
  }

  // The host's comment as it will be stored: the text, trimmed, and the hashtag when missing
  // (the server's compose_post for a host: never an answer tag).
  var comment = document.getElementById("host-comment");
  var preview = document.getElementById("host-comment-preview");
  if (comment && preview) {
    var hashtag = new RegExp("(^|[^\\w#])#" + config.tag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "(?![\\w])", "i");
    var counter = document.getElementById("host-comment-counter");
    comment.addEventListener("input", function () {
      var text = comment.value.trim();
      var posted = text ? (hashtag.test(text) ? text : text + " #" + config.tag) : "";
      preview.hidden = !text;
      preview.textContent = text ? "Will post: " + posted : "";
      // The strictest rule among the room's and the bridged networks' (actions.bridges.chat_networks).
      if (counter && window.hashchatText) {
        var counted = window.hashchatText.count(config.char_rule, posted);
        counter.textContent = counted.length + " / " + config.char_limit;
        counter.classList.toggle("over", Boolean(posted) && !counted.fits(config.char_limit));
      }
    });
  }

  var countdown = document.getElementById("countdown-left");
  if (countdown && config.comments_close_at) {
    var closes = Date.parse(config.comments_close_at);
    var tick = function () {
      var minutes = Math.max(0, Math.floor((closes - Date.now()) / 60000));
      var days = Math.floor(minutes / 1440);
      var hours = Math.floor((minutes % 1440) / 60);
      var parts = [];
      if (days) { parts.push(days + " d"); }
      if (days || hours) { parts.push(hours + " h"); }
      parts.push((minutes % 60) + " min");
      countdown.textContent = "in " + parts.join(" ");
    };
    tick();
    window.setInterval(tick, 30000);
  }

  // Always name the resume point (0 too): a stream without one starts at the present.
  var url = "/api/v1/chats/" + config.chat_id + "/events?after=" + (Number(config.last_event_id) || 0);
  source = new EventSource(url);
  source.addEventListener("post", function (event) { addPost(JSON.parse(event.data)); });
  source.addEventListener("hide", function (event) {
    var data = JSON.parse(event.data);
    setHidden(data.post_id || data.id, true);
  });
  source.addEventListener("unhide", function (event) {
    var data = JSON.parse(event.data);
    setHidden(data.post_id, false, data.post);
  });
  source.addEventListener("state", reloadWhenIdle);
  source.addEventListener("question", reloadWhenIdle);
  source.addEventListener("resync", reloadWhenIdle);
})();
