// The agents' console: the JSON WebSocket (/api/dashboard/ws) for the live queue and commands, resuming with
// last_seq after a network loss, and /api/console on the same origin for history, customer info and typing.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  token: sessionStorage.getItem("handover.token"),
  me: null,
  socket: null,
  lastSeq: null,
  retry: 0,
  customers: new Map(),   // customer_id -> customer object (spec fields)
  agents: new Map(),      // agent_id -> { agent_id, agent_name, status, active_chats }
  found: new Map(),       // customer_id -> a search result (any customer of the company)
  unread: new Map(),      // customer_id -> messages from the customer not read here yet
  list: "all",            // waiting | mine | all
  alerts: localStorage.getItem("handover.alerts") !== "off",
  selected: null,
  typingSent: false,
  typingTimer: null,
};

function claims(token) {
  try {
    return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch (e) {
    return null;
  }
}

function notice(text, kind) {
  const box = $("notice");
  box.textContent = text;
  box.className = kind || "";
  box.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => (box.hidden = true), 6000);
}

function connection(label, css) {
  const badge = $("connection");
  badge.textContent = label;
  badge.className = "state " + css;
}

function timeAgo(iso) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return minutes + (minutes === 1 ? " minute ago" : " minutes ago");
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours + (hours === 1 ? " hour ago" : " hours ago");
  const days = Math.floor(hours / 24);
  return days + (days === 1 ? " day ago" : " days ago");
}

function badgeOf(c) {
  if (!c.agent_id) return { text: "free", css: "badge" };
  if (c.agent_id === state.me.sub) return { text: "mine", css: "badge mine" };
  return { text: "taken by " + (c.agent_name || c.agent_email || c.agent_id), css: "badge taken" };
}

// ---- the queue -------------------------------------------------------------------------------------------

function upsert(customer) {
  if (!customer || !customer.customer_id) return;
  if (customer.stop) {
    state.customers.set(customer.customer_id, { ...state.customers.get(customer.customer_id), ...customer });
  } else {
    state.customers.delete(customer.customer_id);
  }
  render();
}

// The three lists: Waiting (nobody took them, first come first served as customer-service orders the queue, by
// stopped_at, with the place and the wait ticking), Mine, and All who asked for a human; counts on the tabs and
// the number waiting in the tab title.
function lists() {
  const all = [...state.customers.values()].sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at));
  const waiting = all.filter((c) => !c.agent_id)
    .sort((a, b) => Date.parse(a.stopped_at || a.updated_at) - Date.parse(b.stopped_at || b.updated_at));
  const mine = all.filter((c) => c.agent_id === state.me.sub);
  return { waiting, mine, all };
}

function render() {
  const shown = lists();
  const items = shown[state.list];
  $("customers").replaceChildren(...items.map((c) => {
    const li = document.createElement("li");
    li.dataset.customer = c.customer_id;
    li.tabIndex = 0;
    if (c.customer_id === state.selected) li.className = "selected";
    const badge = badgeOf(c);
    const since = state.list === "waiting" ? (c.stopped_at || c.updated_at) : c.updated_at;
    li.innerHTML = `<span class="name"></span><span class="${badge.css}"></span>
      <span class="waited" data-since="${since}">${timeAgo(since)}</span><span class="page"></span>
      <span class="last"></span>`;
    const name = li.querySelector(".name");
    if (state.list === "waiting") {
      const place = document.createElement("span");
      place.className = "position";
      place.textContent = "#" + (shown.waiting.indexOf(c) + 1);
      name.append(place);
    }
    name.append(document.createTextNode(c.customer_name || c.customer_id));
    li.querySelector(".badge").textContent = badge.text;
    li.querySelector(".page").textContent = c.page_name || c.page_id;
    li.querySelector(".last").textContent = c.last_message || "";
    const unread = state.unread.get(c.customer_id);
    if (unread) {
      const count = document.createElement("span");
      count.className = "unread";
      count.setAttribute("aria-label", unread + " unread");
      count.textContent = unread;
      li.append(count);
    }
    li.onclick = () => open(c.customer_id);
    li.onkeydown = (event) => { if (event.key === "Enter") open(c.customer_id); };
    return li;
  }));
  for (const key of ["waiting", "mine", "all"]) $("n-" + key).textContent = shown[key].length;
  $("empty").hidden = items.length > 0;
  $("empty").textContent = state.list === "mine" ? "You have no customers." : "Nobody is waiting.";
  document.title = (shown.waiting.length ? "(" + shown.waiting.length + ") " : "") + "Handover console";
  renderSelected();
}

document.querySelectorAll(".tabs [role=tab]").forEach((tab) => {
  tab.onclick = () => {
    state.list = tab.dataset.list;
    document.querySelectorAll(".tabs [role=tab]").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
    render();
  };
});

// A short tone and, while the console is in the background, a desktop notification; both off with the Alerts button.
function attention(text) {
  if (!state.alerts) return;
  try {
    const audio = attention.audio || (attention.audio = new AudioContext());
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    gain.gain.value = 0.08;
    tone.frequency.value = 880;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  } catch (e) {
    // no audio here: the notification and the title still tell
  }
  if (document.hidden && "Notification" in window && Notification.permission === "granted") {
    new Notification("Handover", { body: text });
  }
}

function showAlerts() {
  $("alerts").textContent = state.alerts ? "Alerts on" : "Alerts off";
  $("alerts").setAttribute("aria-pressed", String(state.alerts));
}

$("alerts").onclick = () => {
  state.alerts = !state.alerts;
  localStorage.setItem("handover.alerts", state.alerts ? "on" : "off");
  if (state.alerts && "Notification" in window && Notification.permission === "default") Notification.requestPermission();
  showAlerts();
};

// Search by name, answered by customer-service (every word typed starts a word of the name).
$("search").onsubmit = (event) => event.preventDefault();
$("q").oninput = () => {
  clearTimeout(state.searchTimer);
  state.searchTimer = setTimeout(search, 300);
};
async function search() {
  const q = $("q").value.trim();
  if (q.length < 2) {
    $("results").hidden = true;
    return;
  }
  const response = await fetch("/api/console/search?limit=20&q=" + encodeURIComponent(q),
    { headers: { Authorization: "Bearer " + state.token } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    notice("Search: " + (body.error || response.status));
    return;
  }
  state.found.clear();
  $("results").replaceChildren(...body.customers.map((c) => {
    state.found.set(c.customer_id, c);
    const li = document.createElement("li");
    li.dataset.customer = c.customer_id;
    li.tabIndex = 0;
    li.textContent = (c.customer_name || c.customer_id) + " · " + (c.page_name || c.page_id)
      + (c.stop ? (c.agent_id ? " · " + badgeOf(c).text : " · waiting") : "");
    li.onclick = () => open(c.customer_id);
    li.onkeydown = (event) => { if (event.key === "Enter") open(c.customer_id); };
    return li;
  }));
  if (!body.customers.length) {
    const li = document.createElement("li");
    li.textContent = "Nobody by that name.";
    $("results").append(li);
  }
  $("results").hidden = false;
}

setInterval(() => document.querySelectorAll("[data-since]").forEach((el) => (el.textContent = timeAgo(el.dataset.since))), 15000);

// ---- the conversation ------------------------------------------------------------------------------------

function renderSelected() {
  const c = state.customers.get(state.selected);
  if (!state.selected) return;
  const colleagues = [...state.agents.values()].filter((a) => a.agent_id !== state.me.sub);
  const chosen = $("transfer-to").value;
  $("transfer-to").replaceChildren(...colleagues.map((a) => {
    const option = document.createElement("option");
    option.value = a.agent_id;
    option.textContent = (a.agent_name || a.agent_id) + " (" + a.status + ")";
    return option;
  }));
  if (chosen) $("transfer-to").value = chosen;
  const badge = c ? badgeOf(c) : { text: "back with the bot", css: "badge" };
  $("who-badge").textContent = badge.text;
  $("who-badge").className = badge.css;
  const mine = c && c.agent_id === state.me.sub;
  $("take").disabled = !c || !!c.agent_id;
  $("release").disabled = !mine;
  $("to-bot").disabled = !mine;
  $("send").disabled = !c || (c.agent_id && !mine);
  $("transfer").disabled = !c || !colleagues.length || (!mine && !isAdmin());
}

function addMessage(text, fromPage, who, at, id, status, error, attachments) {
  const li = document.createElement("li");
  li.className = fromPage ? "page" : "customer";
  li.textContent = attachments && attachments.length && /^\[.*\]$/.test(text || "") ? "" : text;
  for (const a of attachments || []) {
    if (a.type === "image" && a.url) {
      const img = document.createElement("img");
      img.src = a.url;
      img.alt = a.title || "image from the customer";
      li.append(img);
    } else if (a.url) {
      const link = document.createElement("a");
      link.href = a.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = a.title || a.type;
      li.append(link);
    } else {
      li.append(document.createTextNode(" [" + (a.title || a.type) + "]"));
    }
  }
  const small = document.createElement("small");
  small.textContent = (who ? who + " · " : "") + new Date(at || Date.now()).toLocaleTimeString();
  li.append(small);
  if (id && fromPage && who !== "bot") {
    li.dataset.id = id;
    li.dataset.text = text;
    const mark = document.createElement("span");
    mark.className = "status";
    li.append(mark);
    showStatus(li, status || "queued", error);
  }
  $("messages").append(li);
  $("messages").scrollTop = $("messages").scrollHeight;
}

// An agent message's state (queued, sent, delivered, read, failed with its reason), and a retry when it failed.
function showStatus(li, status, error) {
  const mark = li.querySelector(".status");
  mark.textContent = status === "failed" ? "failed: " + (error || "not sent") : status;
  mark.className = "status " + status;
  li.querySelector("button.retry")?.remove();
  if (status === "failed") {
    const retry = document.createElement("button");
    retry.className = "retry";
    retry.textContent = "Retry";
    retry.onclick = () => send({ type: "send_message", customer_id: state.selected, page_id: selectedPage(),
      message: li.dataset.text });
    li.append(retry);
  }
}

async function api(path, options = {}) {
  const response = await fetch("/api/console/customers/" + encodeURIComponent(state.selected) + path, {
    ...options,
    headers: { "Authorization": "Bearer " + state.token, "Content-Type": "application/json" },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error((body && body.error) || "Request failed (" + response.status + ")");
  return body;
}

async function open(customerId) {
  state.selected = customerId;
  state.unread.delete(customerId);
  const c = state.customers.get(customerId) || state.found.get(customerId);
  $("conversation").hidden = false;
  $("desk").classList.add("reading");
  $("who").textContent = c.customer_name || customerId;
  $("messages").replaceChildren();
  render();
  try {
    const history = await api("/messages?limit=50&page_id=" + encodeURIComponent(c.page_id));
    history.messages.slice().reverse().forEach((m) =>
      addMessage(m.text, m.direction === "outbound", m.author === "agent" ? m.agent_name : m.author, m.created_at,
        m.id, m.status, m.error, m.attachments));
    const profile = await api("/profile?page_id=" + encodeURIComponent(c.page_id));
    $("taxCode").value = profile.taxCode || "";
    $("companyName").value = profile.companyName || "";
    $("notes").value = profile.notes || "";
  } catch (e) {
    notice(e.message);
  }
}

function selectedPage() {
  const c = state.customers.get(state.selected) || state.found.get(state.selected);
  return c ? c.page_id : null;
}

$("back").onclick = () => {
  $("desk").classList.remove("reading");
  $("conversation").hidden = true;
  state.selected = null;
  render();
};
$("take").onclick = () => send({ type: "assign_agent", data: { customer_id: state.selected, page_id: selectedPage() } });
$("transfer").onclick = () => send({ type: "transfer_customer", data: { customer_id: state.selected,
  page_id: selectedPage(), to_agent_id: $("transfer-to").value } });
$("release").onclick = () => send({ type: "unassign_agent", data: { customer_id: state.selected, page_id: selectedPage() } });
$("to-bot").onclick = async () => {
  try {
    await api("/stop", { method: "PUT", body: JSON.stringify({ page_id: selectedPage(), stop: false }) });
    notice("Handed back to the bot.", "info");
  } catch (e) {
    notice(e.message);
  }
};
$("compose").onsubmit = (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  send({ type: "send_message", customer_id: state.selected, page_id: selectedPage(), message: text });
  $("text").value = "";
  typing(false);
};
$("text").oninput = () => {
  typing(true);
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(() => typing(false), 2000);
};
function typing(on) {
  if (on === state.typingSent || !state.selected) return;
  state.typingSent = on;
  api("/typing", { method: "POST", body: JSON.stringify({ typing: on }) }).catch(() => {});
}
$("profile").onsubmit = async (event) => {
  event.preventDefault();
  try {
    await api("/profile", { method: "PUT", body: JSON.stringify({ page_id: selectedPage(), taxCode: $("taxCode").value,
      companyName: $("companyName").value, notes: $("notes").value }) });
    notice("Customer info saved.", "info");
  } catch (e) {
    notice(e.message);
  }
};

// ---- the socket ------------------------------------------------------------------------------------------

function send(frame) {
  if (!state.socket || state.socket.readyState !== WebSocket.OPEN) {
    notice("Not connected; try again in a moment.");
    return;
  }
  state.socket.send(JSON.stringify(frame));
}

function connect() {
  connection("connecting", "connecting");
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const resume = state.lastSeq === null ? "" : "?last_seq=" + state.lastSeq;
  const socket = new WebSocket(scheme + location.host + "/api/dashboard/ws" + resume,
    ["handover.v1", "quarkus-http-upgrade#Authorization#Bearer%20" + state.token]);
  state.socket = socket;
  socket.onmessage = (message) => handle(JSON.parse(message.data));
  socket.onclose = (event) => {
    if (state.socket !== socket) return;
    if (event.code === 1008) {
      connection("signed out", "offline");
      notice("Your session ended (" + (event.reason || "token refused") + "). Sign in again.");
      signOut();
      return;
    }
    const wait = Math.min(10, 1 + state.retry++);
    connection("offline, reconnecting in " + wait + " s", "offline");
    setTimeout(() => state.token && connect(), wait * 1000);
  };
}

function handle(frame) {
  if (typeof frame.seq === "number") state.lastSeq = frame.seq;
  switch (frame.type) {
    case "connected":
      state.retry = 0;
      connection("online", "online");
      if (state.lastSeq === null) send({ type: "get_stopped_customers", data: { limit: 200 } });
      send({ type: "get_agents" });
      break;
    case "agents":
      state.agents.clear();
      frame.data.agents.forEach((a) => state.agents.set(a.agent_id, a));
      renderTeam();
      break;
    case "agent_status_changed":
    case "status_updated":
      state.agents.set(frame.data.agent_id, { ...state.agents.get(frame.data.agent_id), ...frame.data });
      renderTeam();
      break;
    case "resync_required":
      state.lastSeq = null;
      send({ type: "get_stopped_customers", data: { limit: 200 } });
      break;
    case "stopped_customers":
      state.customers.clear();
      frame.data.customers.forEach((c) => state.customers.set(c.customer_id, c));
      render();
      break;
    case "customer_stop_status_changed":
      upsert(frame.data.customer);
      break;
    case "agent_assignment_changed":
      upsert(frame.data.customer);
      countChats(frame.data.agent_id, frame.data.action === "assigned" ? 1 : -1);
      if (frame.data.previous_agent) countChats(frame.data.previous_agent.agent_id, -1);
      renderTeam();
      break;
    case "agent_assigned":
      upsert(frame.data.customer);
      notice("You took " + (frame.data.customer.customer_name || frame.data.customer.customer_id) + ".", "info");
      break;
    case "agent_unassigned":
      upsert(frame.data.customer);
      break;
    case "customer_transferred":
      upsert(frame.data.customer);
      notice("Transferred to " + (frame.data.agent_name || frame.data.agent_id) + ".", "info");
      break;
    case "agent_requested":
      attention((frame.data.customer_name || frame.data.chat_id) + " asks for a human");
      break;
    case "new_message": {
      const m = frame.data;
      const c = state.customers.get(m.chat_id);
      if (c && m.sender_id === m.chat_id) {
        c.last_message = m.message;
        if (c.agent_id === state.me.sub && (m.chat_id !== state.selected || document.hidden)) {
          if (m.chat_id !== state.selected) state.unread.set(m.chat_id, (state.unread.get(m.chat_id) || 0) + 1);
          attention((c.customer_name || m.chat_id) + ": " + m.message);
        }
        render();
      }
      if (m.chat_id === state.selected) {
        const fromPage = m.sender_id !== m.chat_id;
        addMessage(m.message, fromPage, fromPage ? (m.is_bot ? "bot" : m.agent_name) : "customer", null,
          m.is_human ? m.message_id : null);
      }
      break;
    }
    case "message_status_changed": {
      const li = [...$("messages").children].find((item) => item.dataset.id === frame.data.message_id);
      if (li) showStatus(li, frame.data.status, frame.data.error);
      break;
    }
    case "error":
      notice(frame.error);
      break;
  }
}

function countChats(agentId, change) {
  const agent = state.agents.get(agentId);
  if (agent && typeof agent.active_chats === "number") agent.active_chats = Math.max(0, agent.active_chats + change);
}

// Who of the company is online, away or offline, with the customers each holds; my own status in the header.
function renderTeam() {
  const team = [...state.agents.values()].sort((a, b) => (a.agent_name || "").localeCompare(b.agent_name || ""));
  $("team").replaceChildren(...team.map((a) => {
    const li = document.createElement("li");
    li.dataset.agent = a.agent_id;
    li.className = a.status;
    const dot = document.createElement("span");
    dot.className = "dot";
    const name = document.createElement("span");
    name.textContent = (a.agent_name || a.agent_id) + (state.me && a.agent_id === state.me.sub ? " (you)" : "");
    const status = document.createElement("span");
    status.className = "presence";
    status.textContent = a.status;
    const chats = document.createElement("span");
    chats.className = "chats";
    chats.textContent = a.active_chats == null ? "" : a.active_chats + " active";
    li.append(dot, name, status, chats);
    return li;
  }));
  const mine = state.me && state.agents.get(state.me.sub);
  if (mine && mine.status !== "offline") $("my-status").value = mine.status;
}

$("my-status").onchange = () => send({ type: "set_status", data: { status: $("my-status").value } });

function isAdmin() {
  return Array.isArray(state.me && state.me.groups) && state.me.groups.includes("admin");
}

function duration(seconds) {
  if (seconds == null) return "–";
  return seconds < 120 ? seconds + " s" : Math.round(seconds / 60) + " min";
}

// The last 7 days of the company: a row per agent and a bar chart of the customers each handled.
async function showReport() {
  const response = await fetch("/api/console/reports", { headers: { Authorization: "Bearer " + state.token } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    notice("Report: " + (body.error || response.status));
    return;
  }
  $("report-period").textContent = new Date(body.from).toLocaleDateString() + " – " + new Date(body.to).toLocaleDateString();
  const rows = $("report-table").tBodies[0];
  rows.replaceChildren();
  for (const r of [{ agent_id: "", agent_name: "Whole company", ...body.company }, ...body.agents]) {
    const tr = document.createElement("tr");
    tr.dataset.agent = r.agent_id;
    for (const cell of [r.agent_name || r.agent_id, r.customers_handled,
        duration(r.wait_seconds.p50) + " / " + duration(r.wait_seconds.p90),
        duration(r.first_response_seconds.p50) + " / " + duration(r.first_response_seconds.p90),
        duration(r.handle_seconds.p50) + " / " + duration(r.handle_seconds.p90)]) {
      const td = document.createElement("td");
      td.textContent = cell;
      tr.append(td);
    }
    rows.append(tr);
  }
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const bar = 22;
  const most = Math.max(1, ...body.agents.map((a) => a.customers_handled));
  svg.setAttribute("width", "100%");
  svg.setAttribute("height", String(body.agents.length * (bar + 6) + 4));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "Customers handled per agent");
  body.agents.forEach((a, i) => {
    const rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", "30%");
    rect.setAttribute("y", String(i * (bar + 6)));
    rect.setAttribute("height", String(bar));
    rect.setAttribute("width", (60 * a.customers_handled / most) + "%");
    rect.dataset.agent = a.agent_id;
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", "0");
    label.setAttribute("y", String(i * (bar + 6) + 16));
    label.textContent = (a.agent_name || a.agent_id) + ": " + a.customers_handled;
    svg.append(rect, label);
  });
  $("report-chart").replaceChildren(svg);
  $("reports").hidden = false;
}

function signIn(token) {
  const payload = claims(token);
  if (!payload || !payload.sub) {
    notice("That is not a token.");
    return;
  }
  state.token = token;
  state.me = payload;
  sessionStorage.setItem("handover.token", token);
  $("me").textContent = (payload.name || payload.sub) + " · " + payload.company_id;
  $("signin").hidden = true;
  $("desk").hidden = false;
  $("signout").hidden = false;
  $("my-status-label").hidden = false;
  $("alerts").hidden = false;
  showAlerts();
  $("reports-button").hidden = !isAdmin();
  connect();
}

function signOut() {
  state.token = null;
  sessionStorage.removeItem("handover.token");
  const socket = state.socket;
  state.socket = null;
  if (socket) socket.close();
  $("signin").hidden = false;
  $("desk").hidden = true;
  $("signout").hidden = true;
  $("my-status-label").hidden = true;
  $("alerts").hidden = true;
  $("reports-button").hidden = true;
  $("reports").hidden = true;
}

$("signin-button").onclick = () => signIn($("token").value.trim());
$("signout").onclick = () => { signOut(); connection("signed out", "offline"); };
$("reports-button").onclick = () => showReport();
$("reports-close").onclick = () => ($("reports").hidden = true);
if (state.token) signIn(state.token);
