// The hall's pages' one script (docs/queue.md). On the board: follow the
// hall's event stream and redraw the calls, the latest announcements and
// the queues from each event (each carries the whole hall, so a board
// that reconnects after a cut or a server restart is right at once). On a
// ticket fresh from the kiosk: print it. Text only, never markup.
(function () {
  "use strict";
  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    row.appendChild(td);
  }
  function where(c) { return c.counter_name || String(c.counter || ""); }
  function draw(board, hall) {
    var body = board.querySelector("#serving tbody");
    body.textContent = "";
    hall.serving.forEach(function (c) {
      var tr = document.createElement("tr");
      cell(tr, c.label, "ticket");
      cell(tr, where(c));
      body.appendChild(tr);
    });
    if (!hall.serving.length) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 2;
      td.className = "muted";
      td.textContent = board.getAttribute("data-empty");
      tr.appendChild(td);
      body.appendChild(tr);
    }
    var recent = board.querySelector("#recent");
    recent.textContent = "";
    hall.recent.forEach(function (c) {
      var li = document.createElement("li");
      li.textContent = c.label + " \u2192 " + where(c);
      recent.appendChild(li);
    });
    var waiting = board.querySelector("#waiting");
    waiting.textContent = "";
    hall.areas.forEach(function (a) {
      var li = document.createElement("li");
      li.setAttribute("data-area", a.letter);
      li.appendChild(document.createTextNode(a.letter + " \u00b7 " + a.name + ": "));
      var n = document.createElement("strong");
      n.textContent = String(a.waiting);
      li.appendChild(n);
      waiting.appendChild(li);
    });
    board.setAttribute("data-updated", String(Date.now()));
  }
  var board = document.getElementById("board");
  if (board && window.EventSource) {
    var source = new EventSource(board.getAttribute("data-stream"));
    source.addEventListener("hall", function (e) {
      try { draw(board, JSON.parse(e.data)); } catch (err) { /* keep the last picture */ }
    });
  }
  var ticket = document.getElementById("ticket");
  if (ticket && ticket.getAttribute("data-print")) {
    window.print();
  }
})();
