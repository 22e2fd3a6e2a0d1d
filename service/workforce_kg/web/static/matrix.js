/* The matrix page: hide the rows and columns with no role in them. */
(function () {
  "use strict";
  var box = document.getElementById("hide-empty");
  var table = document.getElementById("matrix");
  if (!box || !table) return;

  function toggle() {
    var hide = box.checked;
    var rows = table.tBodies[0].rows;
    var used = [];
    for (var i = 0; i < rows.length; i++) {
      var cells = rows[i].cells;
      var any = false;
      for (var j = 1; j < cells.length; j++) {
        if (cells[j].textContent) { any = true; used[j] = true; }
      }
      rows[i].classList.toggle("hidden", hide && !any);
    }
    var heads = table.tHead.rows[0].cells;
    for (var k = 1; k < heads.length; k++) {
      var off = hide && !used[k];
      heads[k].classList.toggle("hidden", off);
      for (var r = 0; r < rows.length; r++) rows[r].cells[k].classList.toggle("hidden", off);
    }
  }

  box.addEventListener("change", toggle);
  toggle();
})();
