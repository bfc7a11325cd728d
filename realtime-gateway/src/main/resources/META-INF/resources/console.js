// The agents' console: the JSON WebSocket (/api/dashboard/ws) for the live queue and commands, resuming with
// last_seq after a network loss, and /api/console on the same origin for history, customer info and typing.
// Sign-in with the company's OpenID Connect provider (authorization code with PKCE, renewed before expiry on the
// open socket), the local stack's demo users, or a pasted token. Every text comes from texts.en.js.
"use strict";

const $ = (id) => document.getElementById(id);
const TEXTS = window.HANDOVER_TEXTS || {};

/** A text of texts.en.js with its {placeholders} filled in. */
function t(key, vars) {
  const text = TEXTS[key] || key;
  return vars ? text.replace(/\{(\w+)\}/g, (all, name) => (vars[name] == null ? all : String(vars[name]))) : text;
}

function translatePage() {
  document.querySelectorAll("[data-t]").forEach((el) => (el.textContent = t(el.dataset.t)));
  for (const attr of ["aria-label", "placeholder", "title"]) {
    const data = "t" + attr.replace(/(^|-)(\w)/g, (all, dash, c) => c.toUpperCase());
    document.querySelectorAll("[data-t-" + attr + "]").forEach((el) => el.setAttribute(attr, t(el.dataset[data])));
  }
}
translatePage();

const state = {
  token: sessionStorage.getItem("handover.token"),
  refreshToken: sessionStorage.getItem("handover.refresh"),
  refreshTimer: null,
  canned: [],
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
  if (minutes < 1) return t("time.justNow");
  if (minutes < 60) return minutes === 1 ? t("time.minute") : t("time.minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours === 1 ? t("time.hour") : t("time.hours", { n: hours });
  const days = Math.floor(hours / 24);
  return days === 1 ? t("time.day") : t("time.days", { n: days });
}

function badgeOf(c) {
  if (!c.agent_id) return { text: t("badge.free"), css: "badge" };
  if (c.agent_id === state.me.sub) return { text: t("badge.mine"), css: "badge mine" };
  return { text: t("badge.takenBy", { name: c.agent_name || c.agent_email || c.agent_id }), css: "badge taken" };
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
      count.setAttribute("aria-label", t("lists.unread", { count: unread }));
      count.textContent = unread;
      li.append(count);
    }
    li.onclick = () => open(c.customer_id);
    li.onkeydown = (event) => { if (event.key === "Enter") open(c.customer_id); };
    return li;
  }));
  for (const key of ["waiting", "mine", "all"]) $("n-" + key).textContent = shown[key].length;
  $("empty").hidden = items.length > 0;
  $("empty").textContent = state.list === "mine" ? t("lists.noneMine") : t("lists.nobodyWaiting");
  document.title = (shown.waiting.length ? "(" + shown.waiting.length + ") " : "") + t("app.title");
  renderSelected();
}

// The lists as a tab set (WAI-ARIA tabs): one tab in the Tab order, the arrow keys, Home and End move between them.
const tabs = [...document.querySelectorAll(".tabs [role=tab]")];
function chooseList(tab) {
  state.list = tab.dataset.list;
  tabs.forEach((other) => {
    other.setAttribute("aria-selected", String(other === tab));
    other.tabIndex = other === tab ? 0 : -1;
  });
  $("list-panel").setAttribute("aria-labelledby", tab.id);
  render();
}
tabs.forEach((tab, i) => {
  tab.tabIndex = tab.getAttribute("aria-selected") === "true" ? 0 : -1;
  tab.onclick = () => chooseList(tab);
  tab.onkeydown = (event) => {
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1 + tabs.length, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = tabs[to % tabs.length];
    next.focus();
    chooseList(next);
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
  if ((document.hidden || !document.hasFocus()) && "Notification" in window && Notification.permission === "granted") {
    new Notification(t("app.name"), { body: text });
  }
}

// Browsers ask about notifications, and let a page make sound, only after a gesture: the agent's first click on the
// desk asks once (alerts on and nothing decided yet) and wakes the audio.
function askForAttentionOnce() {
  document.removeEventListener("click", askForAttentionOnce, true);
  if (state.alerts && "Notification" in window && Notification.permission === "default") Notification.requestPermission();
  try {
    (attention.audio || (attention.audio = new AudioContext())).resume();
  } catch (e) {
    // no audio here: the notification and the title still tell
  }
}

function showAlerts() {
  $("alerts").textContent = state.alerts ? t("alerts.on") : t("alerts.off");
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
    notice(t("search.failed", { error: body.error || response.status }));
    return;
  }
  state.found.clear();
  $("results").replaceChildren(...body.customers.map((c) => {
    state.found.set(c.customer_id, c);
    const li = document.createElement("li");
    li.dataset.customer = c.customer_id;
    li.tabIndex = 0;
    li.textContent = (c.customer_name || c.customer_id) + " · " + (c.page_name || c.page_id)
      + (c.stop ? (c.agent_id ? " · " + badgeOf(c).text : " · " + t("search.waiting")) : "");
    li.onclick = () => open(c.customer_id);
    li.onkeydown = (event) => { if (event.key === "Enter") open(c.customer_id); };
    return li;
  }));
  if (!body.customers.length) {
    const li = document.createElement("li");
    li.textContent = t("search.none");
    $("results").append(li);
  }
  $("results").hidden = false;
}

setInterval(() => document.querySelectorAll("[data-since]").forEach((el) => (el.textContent = timeAgo(el.dataset.since))), 15000);

// Unread counts live in this browser per agent, so a reload or a new tab keeps them.
function markUnread(customerId, count) {
  if (count) state.unread.set(customerId, count);
  else state.unread.delete(customerId);
  localStorage.setItem("handover.unread." + state.me.sub, JSON.stringify([...state.unread]));
}

// ---- the conversation ------------------------------------------------------------------------------------

function renderSelected() {
  const c = state.customers.get(state.selected);
  if (!state.selected) return;
  const colleagues = [...state.agents.values()].filter((a) => a.agent_id !== state.me.sub);
  const chosen = $("transfer-to").value;
  $("transfer-to").replaceChildren(...colleagues.map((a) => {
    const option = document.createElement("option");
    option.value = a.agent_id;
    option.textContent = (a.agent_name || a.agent_id) + " (" + t("status." + a.status) + ")";
    return option;
  }));
  if (chosen) $("transfer-to").value = chosen;
  const badge = c ? badgeOf(c) : { text: t("badge.withBot"), css: "badge" };
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
      img.alt = a.title || t("conversation.imageFromCustomer");
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
  mark.textContent = status === "failed" ? t("message.failed", { error: error || t("message.notSent") }) : t("message." + status);
  mark.className = "status " + status;
  li.querySelector("button.retry")?.remove();
  if (status === "failed") {
    const retry = document.createElement("button");
    retry.className = "retry";
    retry.textContent = t("message.retry");
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
  if (!response.ok) throw new Error((body && body.error) || t("conversation.requestFailed", { status: response.status }));
  return body;
}

async function open(customerId) {
  state.selected = customerId;
  markUnread(customerId, 0);
  const c = state.customers.get(customerId) || state.found.get(customerId);
  $("conversation").hidden = false;
  $("desk").classList.add("reading");
  $("who").textContent = c.customer_name || customerId;
  $("messages").replaceChildren();
  render();
  try {
    const history = await api("/messages?limit=50&page_id=" + encodeURIComponent(c.page_id));
    history.messages.slice().reverse().forEach((m) =>
      addMessage(m.text, m.direction === "outbound", m.author === "agent" ? m.agent_name : t("conversation." + m.author), m.created_at,
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
    notice(t("conversation.handedBack"), "info");
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
    notice(t("conversation.saved"), "info");
  } catch (e) {
    notice(e.message);
  }
};

// ---- the socket ------------------------------------------------------------------------------------------

function send(frame) {
  if (!state.socket || state.socket.readyState !== WebSocket.OPEN) {
    notice(t("conversation.notConnected"));
    return;
  }
  state.socket.send(JSON.stringify(frame));
}

function connect() {
  connection(t("connection.connecting"), "connecting");
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const resume = state.lastSeq === null ? "" : "?last_seq=" + state.lastSeq;
  const socket = new WebSocket(scheme + location.host + "/api/dashboard/ws" + resume,
    ["handover.v1", "quarkus-http-upgrade#Authorization#Bearer%20" + state.token]);
  state.socket = socket;
  socket.onmessage = (message) => handle(JSON.parse(message.data));
  socket.onclose = (event) => {
    if (state.socket !== socket) return;
    if (event.code === 1008) {
      connection(t("connection.signedOut"), "offline");
      notice(t("signin.ended", { reason: event.reason || t("signin.tokenRefused") }));
      signOut();
      return;
    }
    const wait = Math.min(10, 1 + state.retry++);
    connection(t("connection.retry", { seconds: wait }), "offline");
    setTimeout(() => state.token && connect(), wait * 1000);
  };
}

function handle(frame) {
  if (typeof frame.seq === "number") state.lastSeq = frame.seq;
  switch (frame.type) {
    case "connected":
      state.retry = 0;
      connection(t("connection.online"), "online");
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
      [...state.unread.keys()].filter((id) => !state.customers.has(id)).forEach((id) => markUnread(id, 0));
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
      notice(t("conversation.took", { name: frame.data.customer.customer_name || frame.data.customer.customer_id }), "info");
      break;
    case "agent_unassigned":
      upsert(frame.data.customer);
      break;
    case "customer_transferred":
      upsert(frame.data.customer);
      notice(t("conversation.transferred", { name: frame.data.agent_name || frame.data.agent_id }), "info");
      break;
    case "agent_requested":
      attention(t("attention.asks", { name: frame.data.customer_name || frame.data.chat_id }));
      break;
    case "new_message": {
      const m = frame.data;
      const c = state.customers.get(m.chat_id);
      if (c && m.sender_id === m.chat_id) {
        c.last_message = m.message;
        if (c.agent_id === state.me.sub && (m.chat_id !== state.selected || document.hidden)) {
          if (m.chat_id !== state.selected) markUnread(m.chat_id, (state.unread.get(m.chat_id) || 0) + 1);
          attention(t("attention.writes", { name: c.customer_name || m.chat_id, message: m.message }));
        }
        render();
      }
      if (m.chat_id === state.selected) {
        const fromPage = m.sender_id !== m.chat_id;
        addMessage(m.message, fromPage, fromPage ? (m.is_bot ? t("conversation.bot") : m.agent_name) : t("conversation.customer"), null,
          m.is_human ? m.message_id : null, null, null, m.attachments);
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
    name.textContent = (a.agent_name || a.agent_id) + (state.me && a.agent_id === state.me.sub ? " " + t("team.you") : "");
    const status = document.createElement("span");
    status.className = "presence";
    status.textContent = t("status." + a.status);
    const chats = document.createElement("span");
    chats.className = "chats";
    chats.textContent = a.active_chats == null ? "" : t("team.active", { count: a.active_chats });
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
  return seconds < 120 ? t("duration.seconds", { n: seconds }) : t("duration.minutes", { n: Math.round(seconds / 60) });
}

// The company's figures over the chosen UTC days (the last 7 at first): a row per agent, a bar chart of the
// customers each handled, and per-day charts of the whole company or of one agent.
async function showReport(fromDay, toDay) {
  const period = fromDay && toDay ? "?" + new URLSearchParams({ from: fromDay + "T00:00:00Z",
    to: new Date(Date.parse(toDay + "T00:00:00Z") + 86400000).toISOString() }) : "";
  const response = await fetch("/api/console/reports" + period, { headers: { Authorization: "Bearer " + state.token } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    notice(t("report.failed", { error: body.error || response.status }));
    return;
  }
  state.report = body;
  $("report-from").value = body.from.slice(0, 10);
  $("report-to").value = new Date(Date.parse(body.to) - 1).toISOString().slice(0, 10);
  $("report-period").textContent = new Date(body.from).toLocaleDateString() + " – " + new Date(body.to).toLocaleDateString();
  const rows = $("report-table").tBodies[0];
  rows.replaceChildren();
  for (const r of [{ agent_id: "", agent_name: t("report.company"), ...body.company }, ...body.agents]) {
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
  svg.setAttribute("aria-label", t("report.perAgent"));
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
  const chosen = $("report-agent").value;
  const everyone = document.createElement("option");
  everyone.value = "";
  everyone.textContent = t("report.company");
  $("report-agent").replaceChildren(everyone, ...body.agents.map((a) => {
    const option = document.createElement("option");
    option.value = a.agent_id;
    option.textContent = a.agent_name || a.agent_id;
    return option;
  }));
  $("report-agent").value = body.agents.some((a) => a.agent_id === chosen) ? chosen : "";
  showDays();
  $("reports").hidden = false;
}

// The per-day charts of the whole company, or of the agent chosen.
function showDays() {
  const agent = state.report.agents.find((a) => a.agent_id === $("report-agent").value);
  const days = (agent || state.report).days || [];
  $("report-days").replaceChildren(
    dayChart("report.chartCustomers", "customers", days, (d) => d.customers_handled),
    dayChart("report.chartWait", "wait", days, (d) => d.wait_seconds.p50),
    dayChart("report.chartFirstResponse", "first-response", days, (d) => d.first_response_seconds.p50),
    dayChart("report.chartHandle", "handle", days, (d) => d.handle_seconds.p50));
}

// One figure per day as columns, labelled with the day and the value (an SVG drawn here: no library needed).
function dayChart(titleKey, id, days, value) {
  const ns = "http://www.w3.org/2000/svg";
  const figure = document.createElement("figure");
  figure.className = "day-chart";
  const caption = document.createElement("figcaption");
  caption.textContent = t(titleKey);
  const svg = document.createElementNS(ns, "svg");
  const width = 44;
  const height = 120;
  const most = Math.max(1, ...days.map((d) => value(d) || 0));
  svg.setAttribute("viewBox", `0 0 ${Math.max(1, days.length) * width} ${height + 30}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t(titleKey));
  svg.dataset.chart = id;
  days.forEach((d, i) => {
    const v = value(d);
    const h = v == null ? 0 : Math.max(2, height * v / most);
    const rect = document.createElementNS(ns, "rect");
    rect.setAttribute("x", String(i * width + 6));
    rect.setAttribute("y", String(height - h + 14));
    rect.setAttribute("width", String(width - 12));
    rect.setAttribute("height", String(h));
    rect.dataset.day = d.date;
    rect.dataset.value = v == null ? "" : String(v);
    const label = document.createElementNS(ns, "text");
    label.setAttribute("x", String(i * width + width / 2));
    label.setAttribute("y", String(height + 28));
    label.setAttribute("text-anchor", "middle");
    label.textContent = d.date.slice(5);
    const figureText = document.createElementNS(ns, "text");
    figureText.setAttribute("x", String(i * width + width / 2));
    figureText.setAttribute("y", String(height - h + 10));
    figureText.setAttribute("text-anchor", "middle");
    figureText.textContent = v == null ? "–" : String(v);
    svg.append(rect, label, figureText);
  });
  figure.append(caption, svg);
  return figure;
}

// ---- signing in -----------------------------------------------------------------------------------------

function signIn(token) {
  const payload = claims(token);
  if (!payload || !payload.sub) {
    notice(t("signin.notAToken"));
    return;
  }
  state.token = token;
  state.me = payload;
  sessionStorage.setItem("handover.token", token);
  try {
    state.unread = new Map(JSON.parse(localStorage.getItem("handover.unread." + payload.sub) || "[]"));
  } catch (e) {
    state.unread = new Map();
  }
  $("me").textContent = (payload.name || payload.sub) + " · " + payload.company_id;
  $("signin").hidden = true;
  $("desk").hidden = false;
  $("signout").hidden = false;
  $("my-status-label").hidden = false;
  $("alerts").hidden = false;
  showAlerts();
  document.addEventListener("click", askForAttentionOnce, true);
  $("reports-button").hidden = !isAdmin();
  scheduleRenewal();
  loadCanned();
  connect();
}

function signOut() {
  state.token = null;
  state.refreshToken = null;
  clearTimeout(state.refreshTimer);
  sessionStorage.removeItem("handover.token");
  sessionStorage.removeItem("handover.refresh");
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

function b64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri() {
  return location.origin + location.pathname;
}

async function discovery(oidc) {
  const response = await fetch(oidc.issuer.replace(/\/$/, "") + "/.well-known/openid-configuration");
  if (!response.ok) throw new Error("discovery " + response.status);
  return response.json();
}

// The authorization code flow with PKCE (RFC 7636): the verifier stays in this tab, the provider sees its hash.
async function oidcStart(oidc) {
  const config = await discovery(oidc);
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("handover.oidc", JSON.stringify({ verifier, state: nonce }));
  const params = { response_type: "code", client_id: oidc.client_id, redirect_uri: redirectUri(), scope: oidc.scope,
    state: nonce, code_challenge: challenge, code_challenge_method: "S256" };
  if (oidc.resource) params.resource = oidc.resource;
  location.assign(config.authorization_endpoint + "?" + new URLSearchParams(params));
}

async function tokenRequest(oidc, form) {
  const config = await discovery(oidc);
  if (oidc.resource) form.resource = oidc.resource;
  const response = await fetch(config.token_endpoint, { method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: oidc.client_id, ...form }) });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) throw new Error(body.error_description || body.error || response.status);
  if (body.refresh_token) {
    state.refreshToken = body.refresh_token;
    sessionStorage.setItem("handover.refresh", body.refresh_token);
  }
  return body.access_token;
}

async function oidcFinish(oidc, params) {
  const started = JSON.parse(sessionStorage.getItem("handover.oidc") || "{}");
  sessionStorage.removeItem("handover.oidc");
  history.replaceState(null, "", redirectUri());
  if (params.get("error")) throw new Error(params.get("error_description") || params.get("error"));
  if (!started.verifier || params.get("state") !== started.state) throw new Error("state mismatch");
  return tokenRequest(oidc, { grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri(),
    code_verifier: started.verifier });
}

// Renews the token at 70% of its life with the refresh token, and hands the fresh one to the open socket
// (refresh_token), so the live connection never drops for an expiry.
function scheduleRenewal() {
  clearTimeout(state.refreshTimer);
  const payload = claims(state.token);
  if (!state.refreshToken || !state.oidc || !payload || !payload.exp) return;
  const issued = payload.iat || Math.floor(Date.now() / 1000);
  const due = (issued + (payload.exp - issued) * 0.7) * 1000;
  state.refreshTimer = setTimeout(renew, Math.max(1000, due - Date.now()));
}

async function renew() {
  try {
    const token = await tokenRequest(state.oidc, { grant_type: "refresh_token", refresh_token: state.refreshToken });
    state.token = token;
    state.me = claims(token);
    sessionStorage.setItem("handover.token", token);
    state.renewals = (state.renewals || 0) + 1;
    if (state.socket && state.socket.readyState === WebSocket.OPEN) send({ type: "refresh_token", data: { token } });
    scheduleRenewal();
  } catch (e) {
    notice(t("signin.renewFailed", { error: e.message }));
    state.refreshTimer = setTimeout(renew, 5000);
  }
}

// What the gateway offers: the company's provider, the local stack's demo users, and always the pasted token.
async function signInOptions() {
  const response = await fetch("/api/console/sign-in");
  const options = response.ok ? await response.json() : { oidc: null, demo_users: [] };
  state.oidc = options.oidc;
  if (options.oidc) {
    $("oidc").hidden = false;
    $("oidc-button").onclick = () => oidcStart(options.oidc).catch((e) => notice(t("signin.failed", { error: e.message })));
  }
  $("demo").hidden = !options.demo_users.length;
  $("demo-users").replaceChildren(...options.demo_users.map((user) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.textContent = t("signin.demoAs", { name: user.name, role: user.role });
    button.onclick = () => signIn(user.token);
    li.append(button);
    return li;
  }));
  return options;
}

// ---- canned replies ----------------------------------------------------------------------------------------

async function loadCanned() {
  const response = await fetch("/api/console/canned-replies", { headers: { Authorization: "Bearer " + state.token } });
  const body = response.ok ? await response.json() : { canned_replies: [] };
  state.canned = body.canned_replies || [];
  const none = document.createElement("option");
  none.value = "";
  none.textContent = t("conversation.cannedNone");
  $("canned").replaceChildren(none, ...state.canned.map((reply, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = reply.shortcut;
    option.title = reply.text;
    return option;
  }));
  $("canned").hidden = !state.canned.length;
}

$("canned").onchange = () => {
  const reply = state.canned[Number($("canned").value)];
  if (reply) {
    $("text").value = reply.text;
    $("text").focus();
  }
  $("canned").value = "";
};

// "/shortcut" followed by Tab in the message box puts the canned reply in its place
$("text").addEventListener("keydown", (event) => {
  const typed = $("text").value.trim();
  if (event.key !== "Tab" || !typed.startsWith("/")) return;
  const reply = state.canned.find((r) => r.shortcut === typed.slice(1));
  if (reply) {
    event.preventDefault();
    $("text").value = reply.text;
  }
});

$("signin-button").onclick = () => signIn($("token").value.trim());
$("signout").onclick = () => { signOut(); connection(t("connection.signedOut"), "offline"); };
$("reports-button").onclick = () => showReport();
$("report-period-form").onsubmit = (event) => {
  event.preventDefault();
  showReport($("report-from").value, $("report-to").value);
};
$("report-agent").onchange = () => showDays();
$("reports-close").onclick = () => ($("reports").hidden = true);

(async () => {
  const options = await signInOptions();
  const params = new URLSearchParams(location.search);
  if (options.oidc && (params.get("code") || params.get("error"))) {
    try {
      signIn(await oidcFinish(options.oidc, params));
    } catch (e) {
      notice(t("signin.failed", { error: e.message }));
    }
  } else if (state.token) {
    signIn(state.token);
  }
})();
