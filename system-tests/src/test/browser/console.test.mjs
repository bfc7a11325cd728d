// Two agents in two browser contexts: a sandbox customer asks for a human, both see it, one takes it, the
// other sees it taken, messages go both ways. Screenshots go to $SCREENSHOTS. Exits non-zero on any failure.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const { GATEWAY_URL, BRIDGE_URL, PAGE_ID, TOKEN_ALICE, TOKEN_BOB, TOKEN_ADMIN, SCREENSHOTS } = process.env;
const CUSTOMER = "maria-" + Date.now();
mkdirSync(SCREENSHOTS, { recursive: true });
const WAIT = { timeout: 15000 };

async function customerWrites(text) {
  const response = await fetch(`${BRIDGE_URL}/sandbox/pages/${PAGE_ID}/customers/${CUSTOMER}/messages`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text, first_name: "Maria", last_name: "Rossi" }),
  });
  if (response.status !== 202) throw new Error("sandbox refused: " + response.status + " " + await response.text());
}

async function signIn(browser, token, viewport) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on("pageerror", (error) => { throw error; });
  await page.goto(GATEWAY_URL + "/");
  await page.fill("#token", token);
  await page.click("#signin-button");
  await page.waitForSelector("[data-testid=connection].online", WAIT);
  return page;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const alice = await signIn(browser, TOKEN_ALICE, { width: 1200, height: 800 });
  const bob = await signIn(browser, TOKEN_BOB, { width: 390, height: 844 });   // a phone
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
  await alice.click('.tabs [data-list="all"]');
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
  // the admin's report: Alice took Maria, so she has handled one customer, in the table and in the chart
  if (await alice.isVisible("#reports-button")) throw new Error("an agent who is no admin sees the reports button");
  const boss = await signIn(browser, TOKEN_ADMIN, { width: 1200, height: 800 });
  await boss.click("#reports-button");
  await boss.locator('#report-table tr[data-agent="alice"] td:nth-child(2)', { hasText: "1" }).waitFor(WAIT);
  await boss.locator('#report-chart rect[data-agent="alice"]').waitFor(WAIT);
  await boss.screenshot({ path: `${SCREENSHOTS}/5-report.png` });
  console.log("console test passed; screenshots in " + SCREENSHOTS);
} finally {
  await browser.close();
}
