// kehoach: a few lines of plain JS. Pages work without it; it only adds conveniences.
document.addEventListener("DOMContentLoaded", function () {
  // Filters submit their form as soon as a choice changes.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
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
