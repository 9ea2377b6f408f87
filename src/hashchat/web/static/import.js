// The console's import page: upload the archive to POST /api/v1/series/{tag}/imports with
// progress=true, show the upload's progress, then read the streamed JSON lines (checking,
// importing, then the result or the error) into the page.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form) return;
  var status = document.getElementById("import-status");
  var bars = {
    upload: document.getElementById("import-upload"),
    checking: document.getElementById("import-check"),
    importing: document.getElementById("import-run"),
  };
  var list = document.getElementById("import-chats");

  function show(bar, fraction) {
    var percent = Math.max(0, Math.min(100, Math.round(fraction * 100)));
    bar.value = percent;
    bar.textContent = percent + "%";
  }

  function say(text) {
    status.textContent = text;
  }

  function finish(result) {
    Object.keys(bars).forEach(function (name) { show(bars[name], 1); });
    say("Done: " + result.added + " added, " + result.updated + " updated, " +
        result.unchanged + " unchanged, " + result.skipped + " skipped.");
    list.textContent = "";
    result.chats.forEach(function (id) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/chats/" + encodeURIComponent(id) + "/recap";
      link.textContent = "Chat " + id + ": its recap";
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = document.getElementById("import-file").files[0];
    if (!file) { say("Choose a file first."); return; }
    var place = form.querySelector("input[name=place]:checked").value;
    var query = "kind=" + encodeURIComponent(document.getElementById("import-kind").value) +
      "&progress=true";
    if (place === "split") query += "&split=true";
    if (place === "chat") query += "&chat=" + encodeURIComponent(document.getElementById("import-chat").value);
    var request = new XMLHttpRequest();
    request.open("POST", "/api/v1/series/" + encodeURIComponent(form.dataset.tag) + "/imports?" + query);
    request.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
    request.setRequestHeader("X-Filename", file.name);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    Object.keys(bars).forEach(function (name) { show(bars[name], 0); });
    say("Uploading " + file.name + "…");
    var seen = 0;
    var ended = false;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) show(bars.upload, e.loaded / e.total);
    });
    request.upload.addEventListener("load", function () {
      show(bars.upload, 1);
      say("Uploaded. Checking the archive…");
    });
    function readLines() {
      var text = request.responseText;
      var end = text.lastIndexOf("\n");
      if (end < seen) return;
      text.slice(seen, end).split("\n").forEach(function (line) {
        if (!line.trim()) return;
        var message;
        try { message = JSON.parse(line); } catch (error) { return; }
        if (message.phase && bars[message.phase]) {
          show(bars[message.phase], message.total ? message.done / message.total : 1);
          if (message.phase === "importing") show(bars.checking, 1);
          say(message.phase === "checking" ? "Checking the archive…" : "Importing…");
        } else if (message.result) {
          ended = true;
          finish(message.result);
        } else if (message.error) {
          ended = true;
          say("Not imported: " + message.error);
        }
      });
      seen = end + 1;
    }
    request.addEventListener("progress", readLines);
    request.addEventListener("load", function () {
      if (request.status >= 400) {
        var reason = "the server refused it (" + request.status + ")";
        try { reason = JSON.parse(request.responseText).detail || reason; } catch (error) { /* keep */ }
        say("Not imported: " + reason);
        return;
      }
      readLines();
      if (!ended) say("The import ended without a result; try again.");
    });
    request.addEventListener("error", function () { say("The upload failed: check the connection."); });
    request.send(file);
  });
})();
