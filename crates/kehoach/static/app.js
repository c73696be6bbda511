// kehoach: a few lines of plain JS. Pages work without it; it only adds conveniences.
document.addEventListener("DOMContentLoaded", function () {
  // Filters submit their form as soon as a choice changes.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  // Unit pickers: the typed name fetches suggestions (GET /units/suggest) into the field's
  // <datalist>; choosing one submits the filter (the server chooses the unit by its exact name).
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var names = [];
    if (!list) { return; }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (names.indexOf(input.value) >= 0 && input.form) { input.form.submit(); return; }
      clearTimeout(timer);
      if (q.length < 2) { return; }
      timer = setTimeout(function () {
        var url = input.getAttribute("data-suggest");
        url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (units) {
            list.textContent = "";
            names = [];
            units.forEach(function (u) {
              var option = document.createElement("option");
              option.value = u.name;
              list.appendChild(option);
              names.push(u.name);
            });
          })
          .catch(function () { /* the search form still works */ });
      }, 200);
    });
  });
  // A heatmap wider than the screen opens scrolled to today's column.
  // (The unit column is sticky, so the cells scroll beside it.)
  document.querySelectorAll("table.heatmap thead th.now").forEach(function (th) {
    var box = th.closest(".scroll");
    if (box && box.scrollWidth > box.clientWidth) {
      box.scrollLeft = Math.max(0, th.offsetLeft - box.clientWidth / 2);
    }
  });
});
