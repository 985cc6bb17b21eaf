// Parents' request form, progressive enhancement only: without this file every field shows,
// each marked with who it is for. With it, fields that do not apply to the choice are hidden.
(function () {
  "use strict";
  var OSLO = "0301";
  function update(form) {
    var chosen = form.querySelector("input[name=case_type]:checked");
    var type = chosen ? chosen.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (section) {
      var types = section.getAttribute("data-show-for").split(" ");
      section.hidden = types.indexOf(type) === -1;
    });
    var municipality = form.querySelector("select[name=municipality]");
    var district = form.querySelector("[data-only-oslo]");
    if (municipality && district) {
      var select = district.querySelector("select");
      var inOslo = municipality.value === OSLO;
      // A district chosen, or an error on it, stays visible.
      district.hidden = !inOslo && !(select && select.value) && !district.querySelector(".errors");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-request-form]");
    if (!form) return;
    form.addEventListener("change", function () { update(form); });
    update(form);
  });
})();
