// Approximate the server's length rules so the compose box can count as you type.
// The server re-validates every post; this only has to agree on ordinary text.
(function () {
  "use strict";

  var URL_WEIGHT = 23;
  var SCHEME_URL = /https?:\/\/[^\s<>"]+/giu;
  // Bare domains count as links on X; a short list of TLDs keeps "A1.Great" from looking like one.
  var X_URL = /(?:https?:\/\/[^\s<>"]+|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|edu|gov|uk|de|fr|es|it|nl|ca|au|jp|app|dev|ly|me|info)\b(?:\/[^\s<>"]*)?)/giu;
  // domain.text.length._REMOTE_MENTION: the domain of a remote mention does not count.
  var MASTODON_REMOTE_MENTION = /(?<![=\/\p{L}\p{N}_])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)@[\p{L}\p{N}_]+(?:[.-]+[\p{L}\p{N}_]+)*/giu;
  var PICTOGRAPHIC = /[\p{Extended_Pictographic}\p{Regional_Indicator}]/u;

  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter
    ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
    : null;

  function graphemes(text) {
    if (!segmenter) { return Array.from(text); }
    var out = [];
    var iterator = segmenter.segment(text)[Symbol.iterator]();
    for (var step = iterator.next(); !step.done; step = iterator.next()) {
      out.push(step.value.segment);
    }
    return out;
  }

  // twitter-text v3: these code point ranges weigh 1, everything else (CJK, most symbols) 2.
  function xCodePointWeight(codePoint) {
    if (codePoint <= 4351) { return 1; }
    if (codePoint >= 8192 && codePoint <= 8205) { return 1; }
    if (codePoint >= 8208 && codePoint <= 8223) { return 1; }
    if (codePoint >= 8242 && codePoint <= 8247) { return 1; }
    return 2;
  }

  function xWeight(text) {
    var total = 0;
    var rest = text.normalize("NFC").replace(X_URL, function () {
      total += URL_WEIGHT;
      return "";
    });
    var clusters = graphemes(rest);
    for (var i = 0; i < clusters.length; i++) {
      if (PICTOGRAPHIC.test(clusters[i])) {
        total += 2; // an emoji, however many code points it joins, weighs 2
        continue;
      }
      var points = Array.from(clusters[i]);
      for (var j = 0; j < points.length; j++) {
        total += xCodePointWeight(points[j].codePointAt(0));
      }
    }
    return total;
  }

  function mastodonLength(text) {
    var total = 0;
    var rest = text.replace(SCHEME_URL, function () {
      total += URL_WEIGHT;
      return "";
    }).replace(MASTODON_REMOTE_MENTION, "@$1");
    return total + graphemes(rest).length;
  }

  function measure(rule, text) {
    switch ((rule || "").toLowerCase()) {
      case "x":
      case "twitter":
        return xWeight(text);
      case "mastodon":
        return mastodonLength(text);
      default:
        // bluesky and plain: grapheme clusters, nothing discounted (domain.text.length).
        return graphemes(text).length;
    }
  }

  // domain.text.length.BLUESKY_MAX_BYTES: the record's byte limit, whatever the grapheme limit.
  var BLUESKY_MAX_BYTES = 3000;

  function utf8Length(text) {
    return typeof TextEncoder !== "undefined" ? new TextEncoder().encode(text).length : unescape(encodeURIComponent(text)).length;
  }

  // The counter's view of a text: its length by the rule and, for Bluesky, its UTF-8 bytes;
  // `fits(limit)` is domain.text.length.measure(...).valid for a non-empty text.
  function count(rule, text) {
    var length = measure(rule, text);
    var bluesky = (rule || "").toLowerCase() === "bluesky";
    var bytes = bluesky ? utf8Length(text) : null;
    return {
      length: length,
      bytes: bytes,
      maxBytes: BLUESKY_MAX_BYTES,
      fits: function (limit) { return length > 0 && length <= limit && (bytes === null || bytes <= BLUESKY_MAX_BYTES); },
    };
  }

  var LEADING_MENTIONS = /^(?:@[\w.@-]+\s+)*/u;
  // Where domain.text.answers lets a tag begin: the start, a new line, after sentence
  // punctuation, or after leading @mentions; `A1C`/`T1D` look-alikes are not tags.
  var ANSWER_TAG = /(?:^|\n|[.!?]\s+)(?:[@#][\w.@-]+\s+)*(?!(?:a1c|t[12]d)\s)[AQT][1-9]\d?(?!\d)[a-h]?(?![\p{L}\p{N}_])/iu;

  function hasAnswerTag(text) {
    return ANSWER_TAG.test(text);
  }

  function hasHashtag(text, tag) {
    var escaped = tag.replace(/^#/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp("(?<![\\p{L}\\p{N}_#])#" + escaped + "(?![\\p{L}\\p{N}_])", "iu").test(text);
  }

  // domain.compose.compose_post, which the server applies with auto=true: `A{n} ` after any
  // leading @mentions when the text answers nothing and a question is current (live hour
  // only) unless the post is a reply (a reply belongs to its parent's question), and ` #tag`
  // at the end when the hashtag is missing.
  function complete(text, options) {
    var result = text.trim();
    if (options.currentQuestion && !options.isReply && !hasAnswerTag(result)) {
      var cut = result.match(LEADING_MENTIONS)[0].length;
      result = result.slice(0, cut) + "A" + options.currentQuestion + " " + result.slice(cut);
    }
    if (options.tag && !hasHashtag(result, options.tag)) {
      result = result + " #" + options.tag.replace(/^#/, "");
    }
    return result;
  }

  window.hashchatText = { measure: measure, count: count, complete: complete, hasAnswerTag: hasAnswerTag };
})();
