// profilex review: selection, highlights and keyboard shortcuts. Decisions are
// plain form posts (the server answers with a redirect), so this script only
// helps: it works out spans from a text selection and drives the buttons.
(function () {
  "use strict";
  var who = document.getElementById("reviewer");
  if (who) {
    var saved = window.localStorage.getItem("profilex-reviewer");
    if (saved) who.value = saved;
    who.addEventListener("change", function () { window.localStorage.setItem("profilex-reviewer", who.value.trim()); });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("decide")) return;
    var field = form.querySelector(".reviewer-field");
    if (field && who) field.value = who.value.trim();
    if (form.id === "add-form" && !document.getElementById("add-start").value) {
      ev.preventDefault();
      document.getElementById("add-selection").textContent = "First select the missed text in the page on the left.";
    }
  });

  var text = document.getElementById("text");
  if (!text) return;
  var items = Array.prototype.slice.call(document.querySelectorAll("li.item"));
  var current = null;

  function segsOf(ref) {
    return Array.prototype.filter.call(text.querySelectorAll(".seg.hl"), function (s) {
      return (" " + s.getAttribute("data-refs") + " ").indexOf(" " + ref + " ") !== -1;
    });
  }
  function select(li, scrollText, scrollList) {
    if (!li) return;
    if (current) current.classList.remove("selected");
    Array.prototype.forEach.call(text.querySelectorAll(".outlined"), function (s) { s.classList.remove("outlined"); });
    current = li;
    li.classList.add("selected");
    var segs = segsOf(li.getAttribute("data-ref"));
    segs.forEach(function (s) { s.classList.add("outlined"); });
    if (scrollText && segs.length) segs[0].scrollIntoView({block: "center"});
    if (scrollList) li.scrollIntoView({block: "nearest"});
  }
  function move(step) {
    var i = items.indexOf(current) + step;
    if (i >= 0 && i < items.length) select(items[i], true, true);
  }

  items.forEach(function (li) {
    li.addEventListener("click", function (ev) {
      if (ev.target.closest("form")) return;
      select(li, true, false);
    });
    var toggle = li.querySelector(".toggle-correct");
    if (toggle) toggle.addEventListener("click", function () { openCorrect(li); });
  });
  function openCorrect(li) {
    var form = li.querySelector("form.correct");
    form.hidden = !form.hidden;
    if (!form.hidden) { var first = form.querySelector("input:not([type=hidden]), select"); if (first) first.focus(); }
  }

  text.addEventListener("click", function (ev) {
    var seg = ev.target.closest(".seg.hl");
    if (!seg || String(window.getSelection())) return;
    var refs = seg.getAttribute("data-refs").split(" ");
    var at = current ? refs.indexOf(current.getAttribute("data-ref")) : -1;
    var ref = refs[(at + 1) % refs.length];  // clicking again cycles through overlapping items
    var parts = ref.split(".");
    select(document.getElementById("item-" + parts[0] + "-" + parts[1]), false, true);
  });

  // A selection in the page -> code-point offsets of the document text.
  function cpLength(s) { return Array.from(s).length; }
  function offsetOf(node, offset) {
    if (node === text) {
      var kids = text.children;
      if (offset < kids.length) return Number(kids[offset].getAttribute("data-s"));
      return kids.length ? Number(kids[kids.length - 1].getAttribute("data-e")) : 0;
    }
    var seg = node.nodeType === 3 ? node.parentNode : node;
    seg = seg.closest ? seg.closest(".seg") : null;
    if (!seg || !text.contains(seg)) return null;
    if (node.nodeType !== 3) return Number(seg.getAttribute(offset > 0 ? "data-e" : "data-s"));
    return Number(seg.getAttribute("data-s")) + cpLength(node.data.slice(0, offset));
  }
  var addStart = document.getElementById("add-start"), addEnd = document.getElementById("add-end");
  var addValue = document.getElementById("add-value"), addNote = document.getElementById("add-selection");
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return;
    var range = sel.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
    var s = offsetOf(range.startContainer, range.startOffset), e = offsetOf(range.endContainer, range.endOffset);
    if (s === null || e === null || e <= s) return;
    addStart.value = s; addEnd.value = e;
    var chosen = String(sel);
    addNote.textContent = "Selected " + s + "–" + e + ": “" + chosen.slice(0, 80) + "”";
    if (!addValue.dataset.touched) addValue.value = chosen.trim().slice(0, 200);
  });
  addValue.addEventListener("input", function () { addValue.dataset.touched = "1"; });
  var addField = document.getElementById("add-field");
  function showKind() {
    Array.prototype.forEach.call(document.querySelectorAll(".only-agencies"), function (el) {
      el.hidden = addField.value !== "agencies";
    });
    if (addField.value === "tactics") addValue.setAttribute("list", "tactic-labels");
    else addValue.removeAttribute("list");
  }
  addField.addEventListener("change", showKind);
  showKind();

  function click(selector) {
    if (!current) return;
    var b = current.querySelector(selector);
    if (b) b.click();
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    var link;
    switch (ev.key) {
      case "a": click("button.accept"); break;
      case "r": click("button.reject"); break;
      case "c": if (current) openCorrect(current); break;
      case "j": case "n": move(1); break;
      case "k": case "p": move(-1); break;
      case "]": link = document.getElementById("next-doc"); if (link) window.location = link.href; break;
      case "[": link = document.getElementById("prev-doc"); if (link) window.location = link.href; break;
      default: return;
    }
    ev.preventDefault();
  });

  var wanted = new URLSearchParams(window.location.search).get("item");
  var first = null;
  if (wanted) first = document.querySelector('li.item[data-ref="' + wanted.replace(/[^a-z0-9.]/g, "") + '"]');
  if (!first) first = document.querySelector("li.item.status-open") || items[0];
  select(first, true, true);
})();
