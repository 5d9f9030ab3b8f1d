// Upload: the form goes to POST /api/v1/calls; each job it creates is polled at
// /api/v1/jobs/{id} until it is done (with a link to its call) or failed.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var table = document.getElementById("jobs");
  if (!form || !table) return;
  var labels = JSON.parse(document.getElementById("status-labels").textContent);
  var error = document.getElementById("upload-error");

  function cell(text) { var td = document.createElement("td"); td.textContent = text || ""; return td; }

  function show(job) {
    var row = table.querySelector('tr[data-job="' + job.id + '"]');
    if (!row) {
      row = document.createElement("tr");
      row.className = "job";
      row.dataset.job = job.id;
      [job.id, job.file_name, "", job.submitted_by, new Date(job.created_at).toLocaleString(), ""].forEach(function (v) { row.appendChild(cell(v)); });
      row.children[2].className = "status";
      row.children[5].className = "call";
      table.querySelector("tr").after(row);
    }
    row.dataset.status = job.status;
    row.querySelector(".status").textContent = labels[job.status] + (job.error ? " " + job.error : "");
    if (job.call_id) {
      var link = document.createElement("a");
      link.href = "/calls/" + job.call_id;
      link.textContent = labels.open_call + " #" + job.call_id;
      var target = row.querySelector(".call");
      target.textContent = "";
      target.appendChild(link);
    }
  }

  function follow(id) {
    fetch("/api/v1/jobs/" + id, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        show(job);
        if (job.status === "queued" || job.status === "running") setTimeout(function () { follow(id); }, 1500);
      })
      .catch(function () { setTimeout(function () { follow(id); }, 5000); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    var data = new FormData(form);
    // Empty fields are left out: the API reads an absent field as "not known".
    Array.from(data.keys()).forEach(function (key) { if (key !== "files" && !data.get(key)) data.delete(key); });
    fetch("/api/v1/calls", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail || response.statusText));
          body.data.forEach(function (job) { show(job); follow(job.id); });
          form.reset();
        });
      })
      .catch(function (e) { error.textContent = labels.upload_failed + ": " + (e.message || e); error.hidden = false; });
  });

  table.querySelectorAll('tr.job[data-status="queued"], tr.job[data-status="running"]').forEach(function (row) { follow(row.dataset.job); });
})();
