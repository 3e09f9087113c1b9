// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // New parts appear on a ticket page without a reload: poll for parts after the newest.
  var list = document.querySelector("[data-poll]");
  if (list && window.fetch) {
    var url = list.getAttribute("data-poll");
    var newest = function () {
      var items = list.querySelectorAll("[data-part-id]");
      var top = 0;
      for (var i = 0; i < items.length; i++) {
        top = Math.max(top, parseInt(items[i].getAttribute("data-part-id"), 10) || 0);
      }
      return top;
    };
    var poll = function () {
      fetch(url + "?after=" + newest(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (!html.trim()) return;
          var doc = new DOMParser().parseFromString("<ol>" + html + "</ol>", "text/html");
          var seen = newest();
          doc.querySelectorAll("[data-part-id]").forEach(function (item) {
            if ((parseInt(item.getAttribute("data-part-id"), 10) || 0) > seen) {
              list.appendChild(document.importNode(item, true));
            }
          });
        })
        .catch(function () {})
        .then(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 3000);
  }
  // Filters apply as soon as a select changes.
  var filters = document.querySelector("form.filters");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () { filters.submit(); });
    });
  }
})();
