/*
 * Keyboard shortcuts and in-place actions for the review queue.
 * Progressive: every form also works without this script (full-page POST and redirect).
 *   j / k  next / previous comment      a  approve     r  reject     s  spam
 *   x      select for a bulk action     u  undo        ?  help       Esc  close help
 */
(function () {
  "use strict";

  var ROW = "#queue > .row";
  var DONE = { approve: "Approved.", reject: "Rejected.", spam: "Marked as spam." };
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var current = null;
  var live = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(ROW));
  }

  function announce(text) {
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      live.id = "announcer";
      document.body.appendChild(live);
    }
    live.textContent = text;
  }

  function currentRow() {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest(ROW) : null;
    if (row) {
      return row;
    }
    return current && document.body.contains(current) ? current : null;
  }

  function focusRow(row) {
    rows().forEach(function (r) {
      r.classList.remove("is-focused");
    });
    current = row || null;
    if (row) {
      row.classList.add("is-focused");
      row.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(delta) {
    var all = rows();
    if (!all.length) {
      return;
    }
    var index = all.indexOf(currentRow());
    index = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + delta));
    focusRow(all[index]);
  }

  function updateCount(delta) {
    var count = document.getElementById("queue-count");
    if (count) {
      count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + delta));
    }
  }

  function submitPlainly(form, button) {
    // The no-script path: a full-page POST that redirects back with the same filters.
    form.setAttribute("data-plain", "1");
    if (form.requestSubmit) {
      form.requestSubmit(button);
    } else {
      button.click();
    }
  }

  function act(row, action) {
    var form = row ? row.querySelector("form.actions") : null;
    var button = form ? form.querySelector('button[value="' + action + '"]') : null;
    if (!button) {
      return;
    }
    var data = new FormData(form);
    data.set("action", action);
    row.classList.add("is-leaving");
    // form.action would name the buttons called "action": read the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        var all = rows();
        var index = all.indexOf(row);
        var next = all[index + 1] || all[index - 1] || null;
        row.remove();
        updateCount(-1);
        announce(DONE[action] || "Done.");
        if (next) {
          focusRow(next);
        } else {
          window.location.reload(); // the next page of the queue, if any
        }
      })
      .catch(function () {
        // A conflict, an expired form or a network error: let the server explain.
        row.classList.remove("is-leaving");
        submitPlainly(form, button);
      });
  }

  function toggleSelected(row) {
    var box = row ? row.querySelector('input[type="checkbox"][name="selected"]') : null;
    if (box) {
      box.checked = !box.checked;
      row.classList.toggle("is-selected", box.checked);
    }
  }

  function toggleHelp(open) {
    var help = document.getElementById("help");
    if (help) {
      help.open = open === undefined ? !help.open : open;
    }
  }

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) {
      return true;
    }
    if (tag === "input") {
      var type = (target.getAttribute("type") || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) < 0;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var handled = true;
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "a":
        act(currentRow(), "approve");
        break;
      case "r":
        act(currentRow(), "reject");
        break;
      case "s":
        act(currentRow(), "spam");
        break;
      case "x":
        toggleSelected(currentRow());
        break;
      case "u":
        var undo = document.querySelector("#undo button");
        if (undo) {
          undo.click();
        }
        break;
      case "?":
        toggleHelp();
        break;
      case "Escape":
        toggleHelp(false);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  // Clicking a row's buttons also acts in place; the plain POST stays the fallback.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches(ROW + " form.actions") || form.getAttribute("data-plain")) {
      return;
    }
    var button = event.submitter;
    if (!button || !button.value || typeof fetch !== "function") {
      return;
    }
    event.preventDefault();
    act(form.closest(ROW), button.value);
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches(ROW + ' input[name="selected"]')) {
      box.closest(ROW).classList.toggle("is-selected", box.checked);
    }
  });

  document.addEventListener("click", function (event) {
    var row = event.target.closest ? event.target.closest(ROW) : null;
    if (row) {
      current = row;
    }
  });
})();
