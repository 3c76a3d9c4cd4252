// @mention autocomplete for comment boxes: typing "@" and a few letters lists the team members
// (from the JSON the page embeds) whose username starts with them or whose name contains them —
// "@王" offers 王磊, "@wang" too; Enter, Tab or a click inserts "@username ", which is what the
// server reads as a mention. As on the server, an "@" right after a Latin letter or digit
// (an e-mail address) starts nothing, while Chinese may come right before it ("请@王").
(function () {
  "use strict";

  function setUp(textarea) {
    var source = document.getElementById("mention-candidates");
    if (!source || textarea.dataset.mentionsReady) return;
    textarea.dataset.mentionsReady = "1";
    var people = JSON.parse(source.textContent || "[]");
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);
    var active = 0;

    function currentWord() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var match = /(^|[^A-Za-z0-9_.+\-])@([^\s@]*)$/.exec(before);
      return match ? match[2] : null;
    }

    function choose(username) {
      var caret = textarea.selectionStart;
      var before = textarea.value.slice(0, caret).replace(/@([^\s@]*)$/, "@" + username + " ");
      textarea.value = before + textarea.value.slice(caret);
      textarea.selectionStart = textarea.selectionEnd = before.length;
      list.hidden = true;
      textarea.focus();
    }

    function render() {
      var word = currentWord();
      list.innerHTML = "";
      if (word === null) { list.hidden = true; return; }
      var needle = word.toLowerCase();
      var matches = people.filter(function (p) {
        return p.username.toLowerCase().indexOf(needle) === 0 ||
               p.name.toLowerCase().indexOf(needle) !== -1;
      }).slice(0, 8);
      matches.forEach(function (person, index) {
        var item = document.createElement("li");
        item.setAttribute("role", "option");
        item.dataset.username = person.username;
        item.textContent = person.name + " (@" + person.username + ")";
        if (index === active) item.setAttribute("aria-selected", "true");
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(person.username);
        });
        list.appendChild(item);
      });
      list.hidden = matches.length === 0;
    }

    textarea.addEventListener("input", function () { active = 0; render(); });
    textarea.addEventListener("keydown", function (event) {
      // Enter while an input method is composing (pinyin → 王) belongs to the input method.
      if (list.hidden || event.isComposing) return;
      var items = list.querySelectorAll("li");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(items[active].dataset.username);
      } else if (event.key === "Escape") {
        list.hidden = true;
      }
    });
  }

  function scan() { document.querySelectorAll("textarea[data-mentions]").forEach(setUp); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSettle", scan);
  scan();
})();
