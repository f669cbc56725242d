/*
 * Keyboard shortcuts and in-place actions for the review queue.
 * Progressive: every form also works without this script (full-page POST and redirect).
 *   j / k  next / previous comment      a  approve     r  reject     s  spam
 *   x      select for a bulk action     u  undo        ?  help       Esc  close help
 * Selecting a row claims it for a few minutes (others see "being reviewed by ..."), and the
 * queue refreshes in place every REFRESH_MS, keeping the focused row focused.
 */
(function () {
  "use strict";

  var ROW = "#queue > .row";
  var DONE = { approve: "Approved.", reject: "Rejected.", spam: "Marked as spam." };
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = tokenMeta ? tokenMeta.getAttribute("content") : "";
  var REFRESH_MS = 30000;
  var CLAIM_AGAIN_MS = 60000; // renew well inside the server's five-minute hold
  var current = null;
  var live = null;
  var busy = 0; // actions in flight: a refresh then would resurrect a leaving row
  var claimed = {};

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
      claim(row);
    }
  }

  function post(path, data) {
    return fetch(path, {
      method: "POST",
      body: data || new FormData(),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    });
  }

  function showClaim(row, holder) {
    var slot = row.querySelector(".claim");
    if (!slot) {
      return;
    }
    slot.textContent = "";
    if (holder) {
      var badge = document.createElement("span");
      badge.className = "being-reviewed";
      badge.textContent = "Being reviewed by " + holder;
      slot.appendChild(badge);
    }
  }

  function claim(row) {
    var id = row.getAttribute("data-id");
    var now = Date.now();
    if (!id || (claimed[id] && now - claimed[id] < CLAIM_AGAIN_MS)) {
      return;
    }
    claimed[id] = now;
    post("/review/comments/" + encodeURIComponent(id) + "/claim")
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body) {
          showClaim(row, body.mine ? null : body.holder);
        }
      })
      .catch(function () {
        delete claimed[id]; // try again on the next selection
      });
  }

  function showConflict(row, message) {
    var note = row.querySelector(".conflict");
    if (!note) {
      note = document.createElement("p");
      note.className = "conflict flash flash-warning";
      row.querySelector(".content").appendChild(note);
    }
    note.textContent = message;
    row.querySelectorAll("form.actions button").forEach(function (button) {
      button.disabled = true;
    });
    announce(message);
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
    if (!button || button.disabled) {
      return;
    }
    var data = new FormData(form);
    data.set("action", action);
    row.classList.add("is-leaving");
    busy += 1;
    // form.action would name the buttons called "action": read the attribute.
    post(form.getAttribute("action"), data)
      .then(function (response) {
        if (response.status === 409) {
          return response.json().then(function (body) {
            row.classList.remove("is-leaving");
            var id = row.getAttribute("data-id");
            showConflict(row, (body.messages && body.messages[id]) || "Someone else decided this comment meanwhile: your decision was not applied.");
          });
        }
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
        // An expired form or a network error: let the server explain.
        row.classList.remove("is-leaving");
        submitPlainly(form, button);
      })
      .then(function () {
        busy -= 1;
      });
  }

  // Bring the queue up to date in place: rows others decided leave, new ones join at the end,
  // claims are redrawn; the focused row keeps the focus (or passes it to its neighbour).
  function refresh() {
    var list = document.getElementById("queue");
    if (!list || busy) {
      return Promise.resolve(false);
    }
    return fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html || busy) {
          return false;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshRows = {};
        var freshIds = {};
        fresh.querySelectorAll(ROW).forEach(function (r) {
          freshRows[r.id] = r;
          freshIds[r.id] = true;
        });
        var focused = currentRow();
        var all = rows();
        var fallback = null;
        all.forEach(function (r, index) {
          if (freshRows[r.id]) {
            var slot = freshRows[r.id].querySelector(".claim");
            var mine = r.querySelector(".claim");
            if (slot && mine) {
              mine.replaceWith(document.importNode(slot, true));
            }
            delete freshRows[r.id];
          } else {
            if (r === focused) {
              fallback = all.slice(index + 1).concat(all.slice(0, index).reverse()).filter(function (o) {
                return freshIds[o.id];
              })[0] || null;
            }
            r.remove();
          }
        });
        Object.keys(freshRows).forEach(function (id) {
          list.appendChild(document.importNode(freshRows[id], true));
        });
        var count = fresh.getElementById("queue-count");
        var mineCount = document.getElementById("queue-count");
        if (count && mineCount) {
          mineCount.textContent = count.textContent;
        }
        if (fallback) {
          focusRow(fallback);
        } else if (focused && document.body.contains(focused)) {
          focused.focus({ preventScroll: true });
        }
        return true;
      })
      .catch(function () {
        return false;
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
      claim(row);
    }
  });

  window.reviewQueue = { refresh: refresh };
  if (document.getElementById("queue")) {
    window.setInterval(function () {
      if (!document.hidden) {
        refresh();
      }
    }, REFRESH_MS);
  }
})();
