// "Use my location" on the complaint form: optional; the form works without it.
(function () {
  var button = document.getElementById("use-location");
  if (!button || !navigator.geolocation) return;
  var status = document.getElementById("location-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("longitude").value = pos.coords.longitude.toFixed(6);
      status.textContent = button.dataset.done || "✓";
    }, function () { status.textContent = button.dataset.failed || "✗"; });
  });
})();
