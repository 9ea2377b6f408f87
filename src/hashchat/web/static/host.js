// Host console: the buttons are plain forms (they work without JavaScript). This script keeps
// the moderation list and the state current from the chat's event stream.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("host-config").textContent);
  var list = document.getElementById("moderation-list");
  var stateLabel = document.getElementById("chat-state");
  var editorsTouched = false;

  var editors = document.querySelectorAll("[data-question-editor]");
  for (var i = 0; i < editors.length; i++) {
    editors[i].addEventListener("input", function () { editorsTouched = true; });
  }

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

  function addPost(post) {
    // A replayed post that has been hidden since carries no text: mark it, never add it empty.
    if (post.hidden) { markHidden(post.id); return; }
    if (document.getElementById("mod-post-" + post.id)) { return; }
    var empty = document.getElementById("moderation-empty");
    if (empty) { empty.remove(); }
    var item = el("li", "post");
    item.id = "mod-post-" + post.id;
    var meta = el("div", "meta");
    meta.appendChild(el("span", "who", post.display_name || post.author));
    meta.appendChild(el("span", "handle", "@" + post.author));
    if (post.late) { meta.appendChild(el("span", "badge badge-late", "late")); }
    item.appendChild(meta);
    item.appendChild(el("p", "text", post.text));
    var row = el("div", "button-row");
    row.appendChild(actionForm("posts/" + post.id + "/spotlight", "Spotlight", "secondary small", { on: "true" }));
    row.appendChild(actionForm("posts/" + post.id + "/hide", "Hide", "secondary small"));
    if (config.host_names.indexOf(post.author) < 0) {
      row.appendChild(actionForm("block", "Block @" + post.author, "danger small", { user: post.author }));
    }
    item.appendChild(row);
    list.insertBefore(item, list.firstChild);
  }

  function markHidden(postId) {
    var item = document.getElementById("mod-post-" + postId);
    if (!item || item.getAttribute("data-hidden")) { return; }  // a post stub and its hide: once
    item.setAttribute("data-hidden", "true");
    var row = item.querySelector(".button-row");
    if (row) { row.remove(); }
    item.querySelector(".meta").appendChild(el("span", "badge", "hidden"));
  }

  // Always name the resume point (0 too): a stream without one starts at the present.
  var url = "/api/v1/chats/" + config.chat_id + "/events?after=" + (Number(config.last_event_id) || 0);
  var source = new EventSource(url);
  source.addEventListener("post", function (event) { addPost(JSON.parse(event.data)); });
  source.addEventListener("hide", function (event) {
    var data = JSON.parse(event.data);
    markHidden(data.post_id || data.id);
  });
  function refreshPlan(event) {
    // A replayed event the page already reflects must not reload it (that would loop).
    if (Number(event.lastEventId) <= Number(config.last_event_id || 0)) { return; }
    var data = JSON.parse(event.data);
    if (data.state) { stateLabel.textContent = data.state.replace("_", " "); }
    // The plan and buttons depend on the state; reload unless the host is editing a question.
    if (!editorsTouched) { window.location.reload(); }
  }
  source.addEventListener("state", refreshPlan);
  source.addEventListener("question", refreshPlan);
})();
