/* The ratings scorecard: apply a filter as soon as it changes (the form works without this too). */
(function () {
  "use strict";
  var form = document.getElementById("scorecard-filters");
  if (!form) return;
  var selects = form.querySelectorAll("select");
  for (var i = 0; i < selects.length; i++) {
    selects[i].addEventListener("change", function () { form.submit(); });
  }
})();
