// kehoach: a few lines of plain JS. Pages work without it; it only adds conveniences.
document.addEventListener("DOMContentLoaded", function () {
  // Filters submit their form as soon as a choice changes.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  // A heatmap wider than the screen opens scrolled to today's column.
  document.querySelectorAll("svg.heatmap[data-focus-x]").forEach(function (svg) {
    var box = svg.parentElement;
    var x = parseInt(svg.getAttribute("data-focus-x"), 10);
    if (box && box.scrollWidth > box.clientWidth) {
      box.scrollLeft = Math.max(0, x - box.clientWidth / 2);
    }
  });
});
