/*
 * Feedback on slow links. Progressive enhancement only: every form works the same without this file,
 * and every form is still sent by the browser itself (its redirect, messages, history and focus as
 * ever).
 *
 * - A POST form, once sent, is busy: its button shows a spinner and "Đang gửi…", the form is
 *   aria-busy, and pressing again sends nothing.
 * - A chosen file larger than the limit (the "upload-max-bytes" meta tag, from
 *   DOSSIER_MAX_FILE_BYTES) is refused next to its field as soon as it is chosen, and the form is not
 *   sent; nothing typed or chosen is lost.
 * - A form that carries files shows "Đang tải lên… (2,3 MB)" under its button with a moving
 *   (indeterminate) progress bar until the next page arrives. The browser does not tell a page how
 *   far its own upload has gone; measuring it would mean sending the form by script and drawing the
 *   answer in place of the page, which this portal does not do.
 * - A form answered by a file (one posting to a ".pdf" address, or marked data-download) gets its
 *   button back after 3 s; any other after 30 s if the page is still there (a stalled link).
 */
(function () {
  "use strict";

  if (!document.querySelector || !document.addEventListener) {
    return;
  }

  var SUBMITS = 'button:not([type="button"]):not([type="reset"]), input[type="submit"], input[type="image"]';
  var REARM_MS = 30000; // the page is still there: a stalled link, or an answer that was a file
  var DOWNLOAD_REARM_MS = 3000; // a form posting to a file's address (".pdf"), or marked data-download
  var FILE_ADDRESS = /\.(pdf|xlsx|csv|zip|docx?)$/i;

  function settings() {
    var meta = document.querySelector('meta[name="upload-max-bytes"]');
    var read = function (name) {
      return (meta && meta.getAttribute("data-" + name)) || "";
    };
    return {
      maxBytes: meta ? parseInt(meta.getAttribute("content"), 10) || 0 : 0,
      tooLarge: read("too-large"),
      sending: read("sending") || "…",
      uploading: read("uploading") || "…"
    };
  }

  // The size as Django's filesizeformat writes it in the page's language ("11,0 MB", a no-break space).
  function sizeLabel(bytes) {
    var lang = document.documentElement.lang || undefined;
    var format = function (value) {
      try {
        return value.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      } catch (error) {
        return value.toFixed(1);
      }
    };
    if (bytes < 1024) {
      return bytes + "\u00a0B";
    }
    if (bytes < 1024 * 1024) {
      return format(bytes / 1024) + "\u00a0KB";
    }
    if (bytes < 1024 * 1024 * 1024) {
      return format(bytes / (1024 * 1024)) + "\u00a0MB";
    }
    return format(bytes / (1024 * 1024 * 1024)) + "\u00a0GB";
  }

  // ---- files too large, refused before anything is sent ----------------------------------------

  function tooLargeText(input, config) {
    if (!config.maxBytes || !input.files) {
      return "";
    }
    var lines = [];
    for (var i = 0; i < input.files.length; i += 1) {
      var file = input.files[i];
      if (file.size > config.maxBytes) {
        lines.push(config.tooLarge.replace("{name}", file.name).replace("{size}", sizeLabel(file.size)));
      }
    }
    return lines.join(" ");
  }

  function describedBy(input, id, add) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (value) {
      return value && value !== id;
    });
    if (add) {
      ids.unshift(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  // Shows (or clears) the message next to ``input``; true when its files may be sent.
  function checkFileInput(input, config) {
    var message = tooLargeText(input, config);
    var id = (input.id || input.name) + "-size-error";
    var shown = document.getElementById(id);
    if (!message) {
      if (shown) {
        shown.parentNode.removeChild(shown);
        input.classList.remove("is-invalid");
        input.removeAttribute("aria-invalid");
        describedBy(input, id, false);
      }
      return true;
    }
    if (!shown) {
      shown = document.createElement("div");
      shown.id = id;
      shown.className = "invalid-feedback d-block";
      shown.setAttribute("role", "alert");
      shown.setAttribute("data-size-error", "");
      input.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = message;
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    describedBy(input, id, true);
    return false;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "file") {
      checkFileInput(input, settings());
    }
  });

  // ---- busy buttons ----------------------------------------------------------------------------

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.matches && element.matches(SUBMITS);
    });
  }

  function lock(form, pressed, config) {
    form.setAttribute("data-busy", "");
    form.setAttribute("aria-busy", "true");
    var buttons = submitButtons(form);
    var shown = pressed || buttons[0];
    if (shown) {
      shown.setAttribute("data-label", shown.tagName === "INPUT" ? shown.value : shown.innerHTML);
      if (shown.tagName === "INPUT") {
        shown.value = config.sending;
      } else {
        shown.innerHTML =
          '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>' +
          "<span></span>";
        shown.lastChild.textContent = config.sending;
      }
    }
    // Disabled after the browser has read the pressed button's name and value into what it sends.
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        button.disabled = true;
        button.setAttribute("data-disabled-by-site", "");
      });
    }, 0);
  }

  function unlock(form) {
    form.removeAttribute("data-busy");
    form.removeAttribute("aria-busy");
    Array.prototype.forEach.call(form.querySelectorAll("[data-testid='upload-progress']"), function (box) {
      box.parentNode.removeChild(box);
    });
    submitButtons(form).forEach(function (button) {
      if (button.hasAttribute("data-disabled-by-site")) {
        button.disabled = false;
        button.removeAttribute("data-disabled-by-site");
      }
      if (button.hasAttribute("data-label")) {
        if (button.tagName === "INPUT") {
          button.value = button.getAttribute("data-label");
        } else {
          button.innerHTML = button.getAttribute("data-label");
        }
        button.removeAttribute("data-label");
      }
    });
  }

  // Back to a page kept by the browser (back/forward cache): its forms are ready again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), unlock);
    }
  });

  // ---- uploads ---------------------------------------------------------------------------------

  function hasChosenFiles(form) {
    return Array.prototype.some.call(form.elements, function (element) {
      return element.type === "file" && element.files && element.files.length > 0;
    });
  }

  function chosenBytes(form) {
    var total = 0;
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.type === "file" && element.files) {
        for (var i = 0; i < element.files.length; i += 1) {
          total += element.files[i].size;
        }
      }
    });
    return total;
  }

  // "Uploading… (2,3 MB)" and a moving bar under the pressed button, until the next page arrives.
  function showUpload(form, pressed, config) {
    var box = document.createElement("div");
    box.className = "upload-progress mt-2";
    box.setAttribute("data-testid", "upload-progress");
    var label = document.createElement("div");
    label.className = "small";
    label.setAttribute("role", "status");
    label.textContent = config.uploading + " (" + sizeLabel(chosenBytes(form)) + ")";
    var bar = document.createElement("progress"); // no value: indeterminate
    bar.className = "w-100";
    bar.setAttribute("aria-label", config.uploading);
    box.appendChild(label);
    box.appendChild(bar);
    var anchor = pressed || submitButtons(form).pop();
    if (anchor && anchor.parentNode) {
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    } else {
      form.appendChild(box);
    }
  }

  // ---- the one submit listener -----------------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) {
      return;
    }
    var pressed = event.submitter || null;
    var method = ((pressed && pressed.getAttribute("formmethod")) || form.getAttribute("method") || "get");
    if (method.toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-busy")) {
      event.preventDefault(); // pressed again while it is being sent: nothing more is sent
      return;
    }
    var config = settings();
    var fileInputs = Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "file";
    });
    var refused = fileInputs.filter(function (input) {
      return !checkFileInput(input, config);
    });
    if (refused.length) {
      event.preventDefault();
      refused[0].focus();
      return;
    }
    var target = (pressed && pressed.getAttribute("formtarget")) || form.getAttribute("target");
    if (target && target !== "_self") {
      return; // another window: this page stays usable
    }
    lock(form, pressed, config);
    if (hasChosenFiles(form)) {
      // An upload on a slow link may take minutes: the form stays locked until the next page (or Back),
      // never re-armed by a timer that would let the same files be sent twice.
      showUpload(form, pressed, config);
      return;
    }
    window.setTimeout(
      function () {
        unlock(form);
      },
      form.hasAttribute("data-download") || FILE_ADDRESS.test(new URL(form.action, window.location.href).pathname)
        ? DOWNLOAD_REARM_MS
        : REARM_MS
    );
  });
  // The page's forms are now watched (tests wait for this before pressing).
  document.documentElement.setAttribute("data-js", "ready");
})();
