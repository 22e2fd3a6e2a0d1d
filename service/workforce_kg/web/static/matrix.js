/* The matrix page: filters reload the page (the address is the bookmark); sorting happens in place
   (rows and columns by label, by number of roles, or columns grouped by their most accountable body);
   "hide empty" hides the columns with no role shown. */
(function () {
  "use strict";
  var box = document.getElementById("hide-empty");
  var table = document.getElementById("matrix");
  var form = document.getElementById("matrix-filters");
  if (!table) return;
  var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });

  function byLabel(a, b) { return collator.compare(a.getAttribute("data-label"), b.getAttribute("data-label")); }
  function byRoles(a, b) {
    return Number(b.getAttribute("data-roles")) - Number(a.getAttribute("data-roles")) || byLabel(a, b);
  }
  function byOwner(a, b) {
    return collator.compare(a.getAttribute("data-owner"), b.getAttribute("data-owner")) || byLabel(a, b);
  }

  function sort(how) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(how === "roles" ? byRoles : byLabel).forEach(function (tr) { body.appendChild(tr); });
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells, 1);
    heads.forEach(function (th, i) { th.setAttribute("data-index", String(i + 1)); });
    var order = heads.slice().sort(how === "roles" ? byRoles : how === "body" ? byOwner : byLabel)
      .map(function (th) { return Number(th.getAttribute("data-index")); });
    var all = [table.tHead.rows[0]].concat(rows);
    all.forEach(function (tr) {
      var cells = Array.prototype.slice.call(tr.cells);
      order.forEach(function (i) { tr.appendChild(cells[i]); });
    });
    table.setAttribute("data-sort", how);
  }

  function hideEmpty() {
    var hide = box.checked;
    var rows = table.tBodies[0].rows;
    var heads = table.tHead.rows[0].cells;
    var used = [];
    for (var i = 0; i < rows.length; i++) {
      var any = false;
      for (var j = 1; j < rows[i].cells.length; j++) {
        if (rows[i].cells[j].textContent) { any = true; used[j] = true; }
      }
      rows[i].classList.toggle("hidden", hide && !any);
    }
    for (var k = 1; k < heads.length; k++) {
      var off = hide && !used[k];
      heads[k].classList.toggle("hidden", off);
      for (var r = 0; r < rows.length; r++) rows[r].cells[k].classList.toggle("hidden", off);
    }
  }

  if (box) {
    box.addEventListener("change", hideEmpty);
    hideEmpty();
  }
  if (form) {
    form.addEventListener("change", function (evt) {
      if (evt.target.name === "sort") {
        sort(evt.target.value);
        var params = new URLSearchParams(window.location.search);
        params.set("sort", evt.target.value);
        window.history.replaceState(null, "", window.location.pathname + "?" + params);
      } else {
        form.submit();
      }
    });
    sort(form.elements.sort.value);
  }
})();
