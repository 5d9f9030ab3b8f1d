// The call page: evidence and timeline bars seek the player and highlight the turn;
// item overrides are posted to the review API and the page is shown again with the trail.
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

  document.querySelectorAll("form.item-review").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = form.querySelector(".status");
      var url = "/api/v1/calls/" + page.dataset.callId + "/items/" + encodeURIComponent(form.dataset.item) + "/override";
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          verdict: form.elements.verdict.value,
          comment: form.elements.comment.value
        })
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail || response.statusText));
          window.location.hash = "audit";
          window.location.reload();
        });
      }).catch(function (error) { status.textContent = String(error.message || error); });
    });
  });
})();
