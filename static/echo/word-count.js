// Live word count under long answers. The form works without it: the server checks minimums.
(function () {
  "use strict";
  function countWords(text) {
    var words = text.trim().split(/\s+/);
    return words[0] === "" ? 0 : words.length;
  }
  function attach(textarea) {
    var minimum = parseInt(textarea.getAttribute("data-min-words") || "0", 10);
    var counter = document.createElement("p");
    counter.className = "word-count";
    counter.id = textarea.id + "_wordcount";
    // Polite, and updated only after a pause, so screen readers are not flooded.
    counter.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", counter);
    var described = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    var timer = null;
    function update() {
      var words = countWords(textarea.value);
      var text = words === 1 ? "1 word" : words + " words";
      if (minimum) {
        text += words >= minimum ? " (minimum " + minimum + " reached)" : " of at least " + minimum;
      }
      counter.textContent = text;
    }
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 400);
    });
    update();
  }
  document.querySelectorAll("textarea[data-word-count]").forEach(attach);
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
