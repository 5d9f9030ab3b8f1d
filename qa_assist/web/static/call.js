// The call page: evidence and timeline bars seek the player and highlight the turn;
// the review forms post to the review API and the page is shown again with the audit trail.
(function () {
  "use strict";
  var page = document.getElementById("call");
  var player = document.getElementById("player");
  if (!page || !player) return;

  // The turn under way at that moment; in silence (dead air, a hold) the turn that ends it.
  function turnAt(seconds, orNext) {
    var turns = document.querySelectorAll(".turn");
    for (var i = 0; i < turns.length; i++) {
      var start = parseFloat(turns[i].dataset.start), end = parseFloat(turns[i].dataset.end);
      if (seconds <= end + 0.05 && (orNext || seconds >= start - 0.05)) return turns[i];
    }
    return null;
  }

  function highlight(turn) {
    document.querySelectorAll(".turn.highlight").forEach(function (el) { el.classList.remove("highlight"); });
    if (!turn) return;
    turn.classList.add("highlight");
    turn.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  function seek(seconds, turnId) {
    var go = function () { player.currentTime = seconds; };
    // Before the metadata is in, a position set is lost: set it once the player knows the length.
    if (player.readyState >= 1) go(); else player.addEventListener("loadedmetadata", go, { once: true });
    var turn = turnId != null && turnId !== "" ? document.getElementById("turn-" + turnId) : turnAt(seconds, true);
    highlight(turn);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest(".evidence, .turn, .seek");
    if (!target) return;
    seek(parseFloat(target.dataset.start), target.dataset.turn);
  });

  player.addEventListener("timeupdate", function () {
    var turn = turnAt(player.currentTime, false);
    if (turn && !turn.classList.contains("highlight") && !player.paused) highlight(turn);
  });

  // The review forms (override, dispute, resolve, accept, comment) post their named fields as
  // JSON to the review API at data-api; a field marked data-optional is left out when empty,
  // a disabled one always. The page is shown again with the audit trail.
  function fields(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) return;
      if (field.value === "" && field.hasAttribute("data-optional")) return;
      body[field.name] = field.value;
    });
    return body;
  }

  function reason(body, response) {
    var detail = body && body.detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) return detail.map(function (d) { return (d.loc || []).slice(-1)[0] + ": " + d.msg; }).join("; ");
    return response.statusText;
  }

  document.querySelectorAll("form.api-form").forEach(function (form) {
    // An upheld dispute may name the new verdict; a rejected one keeps the verdict.
    var outcome = form.elements.outcome;
    if (outcome) {
      var upheldOnly = form.querySelectorAll("[data-upheld-only]");
      var follow = function () {
        upheldOnly.forEach(function (field) { field.disabled = outcome.value !== "upheld"; });
      };
      outcome.addEventListener("change", follow);
      follow();
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = form.querySelector(".status");
      status.textContent = "";
      fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(fields(form))
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(reason(body, response));
          // One load, at the audit trail (setting the hash alone would not reload).
          history.replaceState(null, "", "#audit");
          window.location.reload();
        });
      }).catch(function (error) { status.textContent = String(error.message || error); });
    });
  });
})();
