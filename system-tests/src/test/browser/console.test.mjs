// Two agents in two browser contexts: alice signs in with the company's identity provider (authorization code
// with PKCE), bob pastes a token. A sandbox customer asks for a human, both see it (alice also as a desktop
// notification), one takes it, the other sees it taken, messages go both ways with their receipts (delivered, read,
// failed and retried), a photo, a canned reply, search, unread counts kept over a reload, a transfer, and the admin's
// report with its charts, per agent and for another period. Alice's short-lived token is
// renewed on her open connection meanwhile. Screenshots go to $SCREENSHOTS. Exits non-zero on any failure.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const { GATEWAY_URL, BRIDGE_URL, PAGE_ID, TOKEN_BOB, SCREENSHOTS } = process.env;
const CUSTOMER = "maria-" + Date.now();
mkdirSync(SCREENSHOTS, { recursive: true });
const WAIT = { timeout: 15000 };

async function customerWrites(text, attachments) {
  await sandbox("messages", { text, attachments, first_name: "Maria", last_name: "Rossi" });
}

// Maria's side of Messenger: what she does (writes, opens the conversation) and what Facebook does to her (faults)
async function sandbox(what, body) {
  const response = await fetch(`${BRIDGE_URL}/sandbox/pages/${PAGE_ID}/customers/${CUSTOMER}/${what}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}),
  });
  if (response.status !== 202) throw new Error("sandbox refused: " + response.status + " " + await response.text());
}

// A photo as Messenger hands one over (a URL); drawn inline here, since the test machine has no internet
const PHOTO = "data:image/svg+xml," + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120">'
  + '<rect width="200" height="120" fill="#d69e2e"/><rect x="60" y="30" width="80" height="60" fill="#744210"/>'
  + '<text x="100" y="112" font-size="14" text-anchor="middle" fill="#1a202c">parcel #4711</text></svg>');

// A console in its own browser context, with desktop notifications allowed (unless the agent never decided) and
// recorded, as if the agent looked at another window (no focus); the permission requests are counted.
async function consolePage(browser, viewport, granted = true) {
  const context = await browser.newContext({ viewport });
  if (granted) await context.grantPermissions(["notifications"], { origin: GATEWAY_URL });
  await context.addInitScript(() => {
    window.__notifications = [];
    window.__asked = 0;
    const Real = window.Notification;
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.__notifications.push(options && options.body);
      }
      static requestPermission(...args) {
        window.__asked++;
        return Real.requestPermission(...args);
      }
    };
    document.hasFocus = () => false;
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => { throw error; });
  await page.goto(GATEWAY_URL + "/");
  return page;
}

async function signInWithToken(browser, token, viewport, granted = true) {
  const page = await consolePage(browser, viewport, granted);
  await page.click("#paste summary");
  await page.fill("#token", token);
  await page.click("#signin-button");
  await page.waitForSelector("[data-testid=connection].online", WAIT);
  return page;
}

// The provider's own login form (oidc-provider's), then back to the console with the code
async function signInWithProvider(browser, login, viewport, screenshot) {
  const page = await consolePage(browser, viewport);
  await page.locator("#oidc-button").waitFor(WAIT);
  if (screenshot) await page.screenshot({ path: `${SCREENSHOTS}/0-sign-in.png` });
  await page.click("#oidc-button");
  await page.locator("input[name=login]").waitFor(WAIT);
  if (!page.url().includes("code_challenge") && !page.url().includes("/interaction/")) throw new Error("not at the provider: " + page.url());
  await page.fill("input[name=login]", login);
  await page.fill("input[name=password]", "any password");
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=connection].online", WAIT);
  if (page.url().includes("code=")) throw new Error("the code stays in the address bar: " + page.url());
  return page;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const alice = await signInWithProvider(browser, "alice", { width: 1200, height: 800 }, true);
  const aliceToken = await alice.evaluate(() => ({ exp: claims(state.token).exp, refresh: !!state.refreshToken }));
  if (!aliceToken.refresh) throw new Error("no refresh token from the provider");
  const aliceSocket = await alice.evaluateHandle(() => state.socket);
  const bob = await signInWithToken(browser, TOKEN_BOB, { width: 390, height: 844 }, false);   // a phone
  // bob never decided about notifications: his first click on the desk asks, once
  if (await bob.evaluate(() => window.__asked) !== 0) throw new Error("asked before any click");
  await bob.click("#me");
  await bob.click("#me");
  const asked = await bob.evaluate(() => window.__asked);
  if (asked !== 1) throw new Error("asked for notifications " + asked + " times");
  // the team: each sees the other online, and alice stepping away shows on bob's phone
  await alice.locator('#team li.online[data-agent="bob"]').waitFor(WAIT);
  await bob.locator('#team li.online[data-agent="alice"]').waitFor(WAIT);
  await alice.selectOption("#my-status", "away");
  await bob.locator('#team li.away[data-agent="alice"]', { hasText: "away" }).waitFor(WAIT);
  await alice.selectOption("#my-status", "online");
  await bob.locator('#team li.online[data-agent="alice"]').waitFor(WAIT);
  await alice.screenshot({ path: `${SCREENSHOTS}/1-signed-in.png` });

  await customerWrites("Hello, I want to talk to a human please");
  const row = (page) => page.locator(`#customers li[data-customer="${CUSTOMER}"]`);
  for (const page of [alice, bob]) {
    await row(page).waitFor(WAIT);
    await row(page).locator(".badge", { hasText: "free" }).waitFor(WAIT);
    await row(page).locator(".waited", { hasText: "just now" }).waitFor(WAIT);
  }
  // the Waiting list: her place in the queue, the count on the tab and in the tab title
  await alice.click('.tabs [data-list="waiting"]');
  await row(alice).locator(".position", { hasText: "#1" }).waitFor(WAIT);
  await alice.locator("#n-waiting", { hasText: "1" }).waitFor(WAIT);
  if (!(await alice.title()).startsWith("(1)")) throw new Error("the tab title does not count the waiting customer: " + await alice.title());
  await alice.screenshot({ path: `${SCREENSHOTS}/2-customer-waiting.png` });
  // alice looks at another window: a desktop notification told her
  const notes = await alice.evaluate(() => window.__notifications);
  if (!notes.some((n) => n && n.includes("Maria Rossi asks for a human"))) throw new Error("no notification: " + JSON.stringify(notes));
  // the tabs by keyboard: from Waiting, the left arrow wraps round to All
  await alice.focus("#tab-waiting");
  await alice.keyboard.press("ArrowLeft");
  await alice.locator('#tab-all[aria-selected="true"][tabindex="0"]').waitFor(WAIT);
  if (await alice.evaluate(() => document.activeElement.id) !== "tab-all") throw new Error("focus did not follow the arrow key");
  await bob.screenshot({ path: `${SCREENSHOTS}/2-customer-waiting-phone.png` });

  await row(alice).click();
  await alice.locator("#messages li", { hasText: "I want to talk to a human" }).waitFor(WAIT);
  await alice.click("#take");
  await row(alice).locator(".badge", { hasText: "mine" }).waitFor(WAIT);
  await row(bob).locator(".badge", { hasText: "taken by Alice" }).waitFor(WAIT);
  await alice.locator("#n-mine", { hasText: "1" }).waitFor(WAIT);
  await alice.locator("#n-waiting", { hasText: "0" }).waitFor(WAIT);
  await bob.screenshot({ path: `${SCREENSHOTS}/3-taken-by-alice-phone.png` });

  await row(bob).click();
  await bob.waitForSelector("#take:disabled", WAIT);

  await alice.fill("#text", "Hi Maria, Alice here. How can I help?");
  await alice.click("#send");
  await alice.locator("#messages li.page", { hasText: "Alice here" }).waitFor(WAIT);
  let received = [];
  for (let i = 0; i < 50 && !received.some((m) => m.text && m.text.includes("Alice here")); i++) {
    received = await (await fetch(`${BRIDGE_URL}/sandbox/pages/${PAGE_ID}/customers/${CUSTOMER}/messages`)).json();
    if (!received.some((m) => m.text && m.text.includes("Alice here"))) await new Promise((r) => setTimeout(r, 200));
  }
  if (!received.some((m) => m.text && m.text.includes("Alice here"))) throw new Error("Maria never got the reply: " + JSON.stringify(received));
  // the sandbox echoes the send and Maria's Messenger confirms delivery: both agents see it on the message
  await alice.locator("#messages li.page", { hasText: "Alice here" }).locator(".status.delivered").waitFor(WAIT);
  await bob.locator("#messages li.page", { hasText: "Alice here" }).locator(".status.delivered").waitFor(WAIT);

  // a canned reply of the company, picked from the list
  await alice.selectOption("#canned", { label: "thanks" });
  if (await alice.inputValue("#text") !== "Thank you for your patience, Maria!") throw new Error("the canned reply was not put in");
  await alice.click("#send");
  await alice.locator("#messages li.page", { hasText: "Thank you for your patience" }).locator(".status.delivered").waitFor(WAIT);
  // Maria opens the conversation: read, on both consoles
  await sandbox("read");
  await alice.locator("#messages li.page", { hasText: "Alice here" }).locator(".status.read").waitFor(WAIT);
  await bob.locator("#messages li.page", { hasText: "Thank you for your patience" }).locator(".status.read").waitFor(WAIT);
  // Facebook refuses the next send (the person is unavailable): failed with the reason, and a retry that goes through
  await sandbox("faults", { fault: "user_unavailable", times: 1 });
  await alice.fill("#text", "Did the parcel arrive?");
  await alice.click("#send");
  const failed = alice.locator("#messages li.page", { hasText: "Did the parcel arrive?" }).first();
  await failed.locator(".status.failed", { hasText: "unavailable" }).waitFor(WAIT);
  await failed.locator("button.retry").click();
  await alice.locator("#messages li.page", { hasText: "Did the parcel arrive?" }).nth(1).locator(".status.delivered").waitFor(WAIT);
  if (await alice.locator("#messages li.page", { hasText: "Did the parcel arrive?" }).count() !== 2) throw new Error("the retry was not one new send");

  // a photo from Maria shows at once, inline, on both consoles
  await customerWrites(undefined, [{ type: "image", url: PHOTO }]);
  for (const page of [alice, bob]) {
    await page.locator(`#messages li.customer img[src="${PHOTO}"]`).waitFor(WAIT);
  }

  await customerWrites("My order number is 4711");
  await alice.locator("#messages li.customer", { hasText: "4711" }).waitFor(WAIT);
  await bob.locator("#messages li.customer", { hasText: "4711" }).waitFor(WAIT);
  await alice.click("#info summary");
  await alice.fill("#taxCode", "RSSMRA80A01H501U");
  await alice.fill("#notes", "Order 4711, prefers email");
  await alice.click("#save");
  await alice.locator("#notice", { hasText: "saved" }).waitFor(WAIT);
  await alice.screenshot({ path: `${SCREENSHOTS}/4-conversation.png` });
  await bob.screenshot({ path: `${SCREENSHOTS}/4-conversation-phone.png` });

  // search by name, served by customer-service
  await bob.click("#back");
  await bob.fill("#q", "mari");
  await bob.locator(`#results li[data-customer="${CUSTOMER}"]`, { hasText: "Maria" }).waitFor(WAIT);

  // a customer of mine writes while I look elsewhere: an unread count on her row
  await alice.click("#back");
  await customerWrites("Are you still there?");
  await row(alice).locator(".unread", { hasText: "1" }).waitFor(WAIT);
  await row(alice).click();
  await alice.locator("#messages li.customer", { hasText: "still there" }).waitFor(WAIT);
  if (await row(alice).locator(".unread").count() !== 0) throw new Error("reading the conversation leaves it unread");

  // transferred to bob: his Mine list has her
  await alice.selectOption("#transfer-to", "bob");
  await alice.click("#transfer");
  await bob.click('.tabs [data-list="mine"]');
  await row(bob).locator(".badge", { hasText: "mine" }).waitFor(WAIT);
  await bob.locator("#n-mine", { hasText: "1" }).waitFor(WAIT);
  await alice.locator("#n-mine", { hasText: "0" }).waitFor(WAIT);
  // she writes to bob, now hers, while he looks at the list: the unread count survives a reload of his console
  await customerWrites("Hello Bob?");
  await row(bob).locator(".unread", { hasText: "1" }).waitFor(WAIT);
  await bob.reload();
  await bob.waitForSelector("[data-testid=connection].online", WAIT);
  await row(bob).locator(".unread", { hasText: "1" }).waitFor(WAIT);
  // the admin's report: Alice took Maria, so she has handled one customer, in the table and in the chart
  if (await alice.isVisible("#reports-button")) throw new Error("an agent who is no admin sees the reports button");
  const boss = await signInWithProvider(browser, "boss", { width: 1200, height: 800 }, false);
  await boss.click("#reports-button");
  await boss.locator('#report-table tr[data-agent="alice"] td:nth-child(2)', { hasText: "1" }).waitFor(WAIT);
  await boss.locator('#report-chart rect[data-agent="alice"]').waitFor(WAIT);
  const today = new Date().toISOString().slice(0, 10);
  const handledToday = await boss.locator(`#report-days svg[data-chart="customers"] rect[data-day="${today}"]`).getAttribute("data-value");
  if (!(Number(handledToday) >= 1)) throw new Error("today's column of the per-day chart shows " + handledToday);
  for (const chart of ["wait", "first-response", "handle"]) {
    await boss.locator(`#report-days svg[data-chart="${chart}"] rect[data-day="${today}"]`).waitFor(WAIT);
  }
  // alice's own days: the one customer she took today, answered
  await boss.selectOption("#report-agent", "alice");
  const aliceToday = (chart) => boss.locator(`#report-days svg[data-chart="${chart}"] rect[data-day="${today}"]`);
  if (await aliceToday("customers").getAttribute("data-value") !== "1") throw new Error("alice's day shows "
      + await aliceToday("customers").getAttribute("data-value"));
  if (await aliceToday("first-response").getAttribute("data-value") === "") throw new Error("alice's first response is missing");
  await boss.screenshot({ path: `${SCREENSHOTS}/5-report.png`, fullPage: true });
  await boss.setViewportSize({ width: 390, height: 844 });
  await boss.screenshot({ path: `${SCREENSHOTS}/5-report-phone.png`, fullPage: true });
  // another period: three weeks ago, before any of it
  const dayAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);
  await boss.fill("#report-from", dayAgo(21));
  await boss.fill("#report-to", dayAgo(15));
  await boss.click("#report-show");
  await boss.locator(`#report-days svg[data-chart="customers"] rect[data-day="${dayAgo(21)}"]`).waitFor(WAIT);
  const columns = await boss.locator('#report-days svg[data-chart="customers"] rect').evaluateAll((rects) =>
    rects.map((r) => r.dataset.value));
  if (columns.length !== 7 || columns.some((v) => v !== "0")) throw new Error("three weeks ago shows " + JSON.stringify(columns));
  if (await boss.locator('#report-table tr[data-agent="alice"]').count() !== 0) throw new Error("alice handled customers three weeks ago");

  // past the expiry of the token alice signed in with: renewed with the provider and handed to the same socket
  while (Date.now() / 1000 < aliceToken.exp + 3) await alice.waitForTimeout(500);
  const renewed = await alice.evaluate((first) => ({ renewals: state.renewals || 0, same: state.socket === first,
    open: state.socket.readyState === WebSocket.OPEN, exp: claims(state.token).exp }), aliceSocket);
  if (!(renewed.renewals >= 1 && renewed.same && renewed.open && renewed.exp > aliceToken.exp)) {
    throw new Error("alice's connection did not live on with a renewed token: " + JSON.stringify(renewed));
  }
  await alice.locator("[data-testid=connection].online").waitFor(WAIT);
  await customerWrites("One more question");
  await row(alice).locator(".last", { hasText: "One more question" }).waitFor(WAIT);
  console.log("console test passed; screenshots in " + SCREENSHOTS);
} finally {
  await browser.close();
}
