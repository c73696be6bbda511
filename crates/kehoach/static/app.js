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
  // A report draft saves itself a few seconds after a change (without script, its button
  // saves). Each save names the version the page holds: when someone else saved first the
  // server answers 409 with their version, shown beside what was typed (nothing is overwritten)
  // and saving stops until the person compares and presses the button. A change not yet sent
  // when the page is left goes with a beacon (a stale one is refused the same way).
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var url = form.getAttribute("data-autosave");
    var status = document.getElementById("autosave-status");
    var version = form.querySelector("input[name=version]");
    var timer = null, busy = false, stopped = false, edits = 0, saved = 0;
    // A refusal is shown as the page shows errors; a save quietly.
    function say(text, refused) {
      if (!status) { return; }
      status.textContent = text || "";
      status.className = refused ? "flash flash-error" : "small muted";
    }
    function body() { return new URLSearchParams(new FormData(form)); }
    function showTheirs(sections) {
      var card = document.getElementById("their-version");
      if (!card || !sections) { return; }
      ["results", "shortcomings", "proposals"].forEach(function (part) {
        var p = card.querySelector("[data-part=" + part + "]");
        if (p) { p.textContent = sections[part] || ""; }
      });
      var answers = card.querySelector("[data-part=answers]");
      if (answers) {
        answers.textContent = "";
        (sections.answers || []).forEach(function (a) {
          var p = document.createElement("p");
          p.className = "pre";
          p.textContent = a;
          answers.appendChild(p);
        });
      }
      card.hidden = false;
    }
    function schedule() {
      if (!timer && !stopped) { timer = setTimeout(save, 3000); }
    }
    function save() {
      timer = null;
      if (busy || stopped || edits === saved) { return; }
      busy = true;
      var sent = edits;
      fetch(url, {
        method: "POST", body: body(), credentials: "same-origin", redirect: "manual",
        headers: { Accept: "application/json" }
      })
        .then(function (r) {
          return r.json().then(function (j) { return [r.status, j]; },
            function () { return [r.status, {}]; });
        })
        .then(function (res) {
          busy = false;
          var json = res[1];
          if (res[0] === 200) {
            saved = sent;
            version.value = json.version;
            say(json.message);
            if (edits !== saved) { schedule(); }
          } else if (res[0] === 409) {
            stopped = true;
            if (json.draft) {
              version.value = json.draft.version;
              showTheirs(json.draft.sections);
            }
            say(json.error, true);
          } else {
            say(json.error || form.getAttribute("data-failed"), true);
          }
        })
        .catch(function () { busy = false; say(form.getAttribute("data-failed"), true); });
    }
    form.addEventListener("input", function () { edits += 1; schedule(); });
    // The button's own save reloads the page with the current version.
    form.addEventListener("submit", function () { stopped = true; });
    window.addEventListener("pagehide", function () {
      if (edits !== saved && !stopped && !busy && navigator.sendBeacon) {
        navigator.sendBeacon(url, body());
      }
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
