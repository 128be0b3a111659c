// Copy buttons: <button data-copy="ID"> copies the value (of an input) or
// the text of the element with that id. Without JavaScript the text stays selectable. Event delegation,
// so buttons swapped in by htmx work too.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  var text = ("value" in source ? source.value : source.textContent).trim();
  var done = function () {
    var label = button.textContent;
    button.textContent = "Copied";
    button.setAttribute("data-copied", "true");
    setTimeout(function () { button.textContent = label; button.removeAttribute("data-copied"); }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
  } else {
    selectText(source);
  }
});

function selectText(el) {
  if ("select" in el) {
    el.focus();
    el.select();
    return;
  }
  var range = document.createRange();
  range.selectNodeContents(el);
  var sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}
