// For partner pages, pasted after the frame (liveblog.pages.embed builds the snippet): fits
// each live-blog frame to the height its page reports. A classic script, not a module, so
// that it works pasted inline in any page. A message counts only if it comes from the window
// of one of these frames and from the origin of that frame's address.
(function () {
  if (window.liveblogEmbedHost) return;
  window.liveblogEmbedHost = true;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "liveblog:height") return;
    var frames = document.querySelectorAll("iframe[data-liveblog-embed]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, location.href).origin !== event.origin) return;
      var height = Math.ceil(Number(data.height));
      if (height > 0 && height <= 100000) frame.style.height = height + "px";
      return;
    }
  });
})();
