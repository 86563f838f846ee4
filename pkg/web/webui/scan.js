// Scan a QR code with the camera where the browser has a BarcodeDetector;
// otherwise (or if the camera is refused) the photo upload below it is
// decoded on the server. Large photos are scaled down here first.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var text = document.getElementById("scan-text");
  var photo = document.getElementById("photo");

  function found(value) {
    text.value = value;
    photo.value = "";
    form.submit();
  }

  if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    var detector = new BarcodeDetector({ formats: ["qr_code"] });
    var video = document.getElementById("video");
    var status = document.getElementById("camera-status");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      document.getElementById("camera").hidden = false;
      video.srcObject = stream;
      video.play();
      var done = false;
      function tick() {
        if (done) return;
        detector.detect(video).then(function (codes) {
          if (codes.length && codes[0].rawValue) {
            done = true;
            status.textContent = "Got it.";
            stream.getTracks().forEach(function (t) { t.stop(); });
            found(codes[0].rawValue);
          } else {
            setTimeout(tick, 250);
          }
        }, function () { setTimeout(tick, 500); });
      }
      tick();
    }, function () { /* no camera: the photo upload stays */ });
  }

  // Scale photos over 1600 px down before they are sent (a phone's photo
  // is often over the 5 MiB the server takes).
  photo.addEventListener("change", function () {
    var f = photo.files && photo.files[0];
    if (!f || f.size < 1500000 || !window.createImageBitmap || !window.DataTransfer) return;
    createImageBitmap(f).then(function (bmp) {
      var scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bmp.width * scale);
      canvas.height = Math.round(bmp.height * scale);
      canvas.getContext("2d").drawImage(bmp, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        var dt = new DataTransfer();
        dt.items.add(new File([blob], "code.jpg", { type: "image/jpeg" }));
        photo.files = dt.files;
      }, "image/jpeg", 0.9);
    });
  });
})();
