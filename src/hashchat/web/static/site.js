// Small enhancements for every page; the pages stay readable without them.
(function () {
  "use strict";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    } catch (error) {
      return "UTC";
    }
  }

  // The server renders times in UTC for readers it does not know; show them in the browser's zone.
  var formats = {
    long: new Intl.DateTimeFormat(undefined, {
      weekday: "short", year: "numeric", month: "short", day: "numeric",
      hour: "numeric", minute: "2-digit", timeZoneName: "short",
    }),
    short: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
  };

  function localize(root) {
    var times = (root || document).querySelectorAll("time[data-localize]");
    for (var i = 0; i < times.length; i++) {
      var instant = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(instant.getTime())) {
        var style = times[i].getAttribute("data-localize") === "short" ? "short" : "long";
        times[i].textContent = formats[style].format(instant);
      }
    }
  }

  window.hashchatLocalize = localize;
  localize(document);

  var zoneFields = document.querySelectorAll("input[data-browser-zone]");
  for (var i = 0; i < zoneFields.length; i++) {
    zoneFields[i].value = browserZone();
  }

  var zoneButtons = document.querySelectorAll("button[data-use-browser-zone]");
  for (var j = 0; j < zoneButtons.length; j++) {
    zoneButtons[j].addEventListener("click", function (event) {
      var field = document.getElementById(event.currentTarget.getAttribute("data-use-browser-zone"));
      if (field) { field.value = browserZone(); field.focus(); }
    });
  }
})();
