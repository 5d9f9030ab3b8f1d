// The daily-report links follow the day picked.
(function () {
  "use strict";
  var day = document.getElementById("report-day");
  if (!day) return;
  day.addEventListener("change", function () {
    document.getElementById("report-open").href = "/reports/" + day.value;
    document.getElementById("report-xlsx").href = "/reports/" + day.value + ".xlsx";
    document.getElementById("report-csv").href = "/reports/" + day.value + ".csv?table=agents";
  });
})();
