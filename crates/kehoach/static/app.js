// kehoach: a few lines of plain JS. Pages work without it; it only adds conveniences.
document.addEventListener("DOMContentLoaded", function () {
  // Select elements with data-autosubmit submit their form when changed (filters).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  // A log form's date defaults to the page's "today" when left empty.
  document.querySelectorAll("input[data-default-date]").forEach(function (i) {
    if (!i.value) { i.value = i.getAttribute("data-default-date"); }
  });
});
