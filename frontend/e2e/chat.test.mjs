// End-to-end: team chat over the backend's WebSocket. Two browsers of Salon X and one
// of Restaurant X, each with the business's own frontend; the sockets go straight to the
// backend, with tickets fetched through each frontend's proxy.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import {
  BACKEND_URL,
  OUTPUT,
  RESTAURANT_URL,
  SALON_URL,
  backend,
  backendToken,
  launchBrowser,
  openPage,
  pageText,
  shot,
  signIn,
} from "./support.mjs";

const browsers = [];
let salonChannel;
let restaurantChannel;
/** Channel names only one of the two businesses has. */
let salonOnlyChannels;
let restaurantOnlyChannels;

async function channelsOf(slug) {
  const token = await backendToken(slug);
  const { status, body } = await backend("comms/channels/?page_size=100", { slug, token });
  assert.equal(status, 200, `${slug}'s channels`);
  return body.results;
}

/** Messages of every channel of a business whose body contains `text`, read from the backend. */
async function messagesContaining(slug, text) {
  const token = await backendToken(slug);
  const found = [];
  for (const channel of await channelsOf(slug)) {
    const { status, body } = await backend(
      `comms/channels/${channel.id}/messages/?page_size=100&search=${encodeURIComponent(text)}`,
      { slug, token },
    );
    if (status === 404) continue; // a private channel the owner is not in
    assert.equal(status, 200);
    found.push(...body.results.filter((message) => message.body.includes(text)));
  }
  return found;
}

async function until(condition, what, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A new browser (its own Chromium) signed in at a business's frontend, on /chat with
 * `channel` open, its socket live and subscribed. Every socket frame is recorded.
 */
async function chatBrowser(name, baseUrl, username, channel, { interceptSockets = false } = {}) {
  const browser = await launchBrowser();
  browsers.push(browser);
  const session = await openPage(browser);
  const { page } = session;
  const sockets = [];
  const received = [];
  const sent = [];
  /** With `interceptSockets`, each socket passes through the test, which can cut it. */
  const routes = [];
  if (interceptSockets) {
    await page.routeWebSocket(
      (url) => url.pathname === "/ws/comms/",
      (route) => {
        sockets.push(route.url());
        routes.push(route);
        const server = route.connectToServer();
        route.onMessage((message) => {
          sent.push(String(message));
          server.send(message);
        });
        server.onMessage((message) => {
          received.push(String(message));
          route.send(message);
        });
      },
    );
  } else {
    page.on("websocket", (socket) => {
      sockets.push(socket.url());
      socket.on("framereceived", ({ payload }) => received.push(String(payload)));
      socket.on("framesent", ({ payload }) => sent.push(String(payload)));
    });
  }
  await signIn(page, baseUrl, username);
  await page.getByTestId("nav-chat").click();
  await page.waitForURL(`${baseUrl}/chat`);
  await page.locator(`[data-testid="chat-channel"][data-channel="${channel.id}"]`).click();
  await page.waitForURL(`${baseUrl}/chat?channel=${channel.id}`);
  await page.getByTestId("chat-message").first().waitFor();
  await page.locator('[data-testid="chat-connection"][data-state="live"]').waitFor();
  const subscribed = JSON.stringify({ type: "subscribed", channel: channel.id });
  await until(() => received.some((frame) => JSON.stringify(JSON.parse(frame)) === subscribed), `${name} subscribed`);
  // Set once; a reload would lose it, so finding it later proves the update came live.
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  return { name, page, session, sockets, received, sent, routes };
}

function framesOfType(frames, type) {
  return frames.map((frame) => JSON.parse(frame)).filter((frame) => frame.type === type);
}

async function sendMessage(client, text) {
  await client.page.getByTestId("chat-input").fill(text);
  await client.page.getByTestId("chat-input").press("Enter");
}

function shows(client, text) {
  return client.page.getByTestId("chat-message-body").filter({ hasText: text });
}

async function assertStillSameDocument(client) {
  assert.equal(await client.page.evaluate(() => window.__sameDocument), true, `${client.name} was not reloaded`);
}

before(async () => {
  const salon = await channelsOf("salon-x");
  const restaurant = await channelsOf("restaurant-x");
  salonChannel = salon.find((channel) => channel.name === "front-desk");
  restaurantChannel = restaurant.find((channel) => channel.name === "kitchen");
  assert.ok(salonChannel && salonChannel.is_member, "Salon X's owner is in #front-desk");
  assert.ok(restaurantChannel && restaurantChannel.is_member, "Restaurant X's owner is in #kitchen");
  const salonNames = new Set(salon.map((channel) => channel.name));
  const restaurantNames = new Set(restaurant.map((channel) => channel.name));
  salonOnlyChannels = [...salonNames].filter((name) => !restaurantNames.has(name));
  restaurantOnlyChannels = [...restaurantNames].filter((name) => !salonNames.has(name));
});

after(async () => {
  for (const browser of browsers) await browser.close().catch(() => undefined);
});

describe("team chat", () => {
  test("(h) a message typed in one Salon X browser appears live in the other, never at Restaurant X", async () => {
    const clients = [];
    try {
      const first = await chatBrowser("Salon X, first browser", SALON_URL, "salon-x-owner", salonChannel);
      clients.push(first);
      const second = await chatBrowser("Salon X, second browser", SALON_URL, "salon-x-manager", salonChannel);
      clients.push(second);
      const restaurant = await chatBrowser("Restaurant X", RESTAURANT_URL, "restaurant-x-owner", restaurantChannel);
      clients.push(restaurant);

      // The sockets go straight to the backend (a proxy of the frontend cannot carry
      // them), each opened with a ticket, never with a token.
      const socketBase = `${BACKEND_URL.replace(/^http/, "ws")}/ws/comms/?ticket=`;
      for (const client of clients) {
        assert.ok(client.sockets.length >= 1, `${client.name} opened a socket`);
        for (const url of client.sockets) assert.ok(url.startsWith(socketBase), `${client.name}'s socket: ${url}`);
      }
      // Each business's page lists its own channels only.
      for (const client of [first, second]) {
        const text = await pageText(client.page);
        for (const name of restaurantOnlyChannels) assert.ok(!text.includes(name), `#${name} at Salon X`);
      }
      const restaurantPage = await pageText(restaurant.page);
      for (const name of salonOnlyChannels) assert.ok(!restaurantPage.includes(name), `#${name} at Restaurant X`);
      await shot(first.page, "19-chat-salon-first-browser");
      await shot(restaurant.page, "20-chat-restaurant");

      // Salon X, first browser: typed and sent over its socket.
      const salonText = `Salon X only: colour bar restock ${Date.now()}`;
      await sendMessage(first, salonText);
      await until(
        () => first.sent.some((frame) => frame.includes('"message.send"') && frame.includes(salonText)),
        "the first browser's message.send frame",
      );
      await shows(first, salonText).waitFor();

      // The second Salon X browser shows it without reloading: it came by socket.
      await shows(second, salonText).waitFor();
      await assertStillSameDocument(second);
      const delivered = second.received.map((frame) => JSON.parse(frame)).filter((f) => f.type === "message.created");
      const live = delivered.find((frame) => frame.message.body === salonText);
      assert.ok(live, "the second browser received message.created");
      assert.equal(live.channel, salonChannel.id);
      assert.equal(live.message.channel, salonChannel.id);
      assert.ok(live.message.author_name, "the REST message's fields");
      await shot(second.page, "21-chat-salon-second-browser-live");

      // Restaurant X: still connected and subscribed, and never shown it, in its page or
      // in any frame of its socket (given time for a stray delivery to arrive).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(await restaurant.page.getByTestId("chat-connection").getAttribute("data-state"), "live");
      assert.ok(!(await pageText(restaurant.page)).includes(salonText), "Salon X's message on Restaurant X's page");
      assert.deepEqual(
        restaurant.received.filter((frame) => frame.includes(salonText)),
        [],
        "Salon X's message in a Restaurant X socket frame",
      );
      assert.deepEqual(await messagesContaining("restaurant-x", salonText), [], "Restaurant X's data, from the API");
      assert.equal((await messagesContaining("salon-x", salonText)).length, 1, "posted once at Salon X");
      await shot(restaurant.page, "22-chat-restaurant-never-sees-salon");

      // And the other way round: Restaurant X's own message stays at Restaurant X.
      const restaurantText = `Restaurant X only: table 12 allergy ${Date.now()}`;
      await sendMessage(restaurant, restaurantText);
      await shows(restaurant, restaurantText).waitFor();
      await assertStillSameDocument(restaurant);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      for (const client of [first, second]) {
        assert.ok(!(await pageText(client.page)).includes(restaurantText), `Restaurant X's message at ${client.name}`);
        assert.deepEqual(client.received.filter((frame) => frame.includes(restaurantText)), [], client.name);
      }
      await shot(restaurant.page, "23-chat-restaurant-own-message");

      for (const client of clients) client.session.assertNoPageErrors();
    } catch (error) {
      for (const [index, client] of clients.entries()) {
        await client.page
          .screenshot({ path: path.join(OUTPUT, `failed-h-${index + 1}.png`), fullPage: true })
          .catch(() => undefined);
      }
      throw error;
    } finally {
      for (const client of clients) await client.session.context.close().catch(() => undefined);
    }
  });

  test("(i) a dropped socket comes back with a fresh ticket; meanwhile messages go by REST, none is missed", async () => {
    const clients = [];
    try {
      const first = await chatBrowser("Salon X, dropped", SALON_URL, "salon-x-owner", salonChannel, {
        interceptSockets: true,
      });
      clients.push(first);
      const second = await chatBrowser("Salon X, second browser", SALON_URL, "salon-x-manager", salonChannel);
      clients.push(second);

      // The first browser's socket is cut, and for a while no ticket can be had.
      let ticketsBlocked = true;
      const ticketRequests = [];
      await first.page.route(
        (url) => url.pathname === "/api/proxy/comms/ws-ticket/",
        (route) => {
          ticketRequests.push(Date.now());
          return ticketsBlocked ? route.abort("internetdisconnected") : route.continue();
        },
      );
      await first.routes[0].close({ code: 4000, reason: "network gone" });
      await first.page.locator('[data-testid="chat-connection"][data-state="reconnecting"]').waitFor();
      await until(() => ticketRequests.length >= 1, "a new ticket asked for");
      await shot(first.page, "24-chat-reconnecting");

      // Sent while the socket is away: by REST, and it still reaches the other browser live.
      const sentBefore = first.sent.length;
      const byRest = `Sent while offline ${Date.now()}`;
      const posted = first.page.waitForResponse(
        (response) =>
          response.request().method() === "POST" &&
          new URL(response.url()).pathname === `/api/proxy/comms/channels/${salonChannel.id}/messages/`,
      );
      await sendMessage(first, byRest);
      assert.equal((await posted).status(), 201);
      await shows(first, byRest).waitFor();
      assert.equal(first.sent.length, sentBefore, "nothing sent by socket while it was away");
      await shows(second, byRest).waitFor();
      await assertStillSameDocument(second);

      // Posted at the other browser while the first one has no socket.
      const missed = `Posted while the first browser was away ${Date.now()}`;
      await sendMessage(second, missed);
      await shows(second, missed).waitFor();

      // Tickets again: the socket comes back (a new ticket, never the old one reused),
      // subscribes again, and the page catches up on what it missed.
      ticketsBlocked = false;
      await first.page.locator('[data-testid="chat-connection"][data-state="live"]').waitFor({ timeout: 45_000 });
      await until(() => first.sockets.length >= 2, "a second socket");
      const tickets = first.sockets.map((url) => new URL(url).searchParams.get("ticket"));
      assert.equal(new Set(tickets).size, tickets.length, "every socket opened with its own ticket");
      await until(() => framesOfType(first.received, "subscribed").length >= 2, "subscribed again");
      await shows(first, missed).waitFor();
      await assertStillSameDocument(first);
      assert.equal(await shows(first, byRest).count(), 1, "each message shown once");

      // And live again.
      const liveAgain = `Live again ${Date.now()}`;
      await sendMessage(second, liveAgain);
      await shows(first, liveAgain).waitFor();
      assert.ok(
        framesOfType(first.received, "message.created").some((frame) => frame.message.body === liveAgain),
        "delivered by the new socket",
      );
      await shot(first.page, "25-chat-reconnected");

      for (const client of clients) client.session.assertNoPageErrors();
    } catch (error) {
      for (const [index, client] of clients.entries()) {
        await client.page
          .screenshot({ path: path.join(OUTPUT, `failed-i-${index + 1}.png`), fullPage: true })
          .catch(() => undefined);
      }
      throw error;
    } finally {
      for (const client of clients) await client.session.context.close().catch(() => undefined);
    }
  });

  test("(j) a channel's history is read a page at a time, newest first, each message once", async () => {
    const slug = "salon-x";
    const token = await backendToken(slug, "salon-x-manager");
    const channel = (await channelsOf(slug)).find((row) => row.name === "stylists");
    const before = await backend(`comms/channels/${channel.id}/messages/?page_size=1`, { slug, token });
    const extra = 40;
    for (let index = 1; index <= extra; index += 1) {
      const posted = await backend(`comms/channels/${channel.id}/messages/`, {
        slug,
        token,
        method: "POST",
        body: { body: `History ${String(index).padStart(2, "0")}` },
      });
      assert.equal(posted.status, 201);
    }
    const total = before.body.count + extra;
    const client = await chatBrowser("Salon X, history", SALON_URL, "salon-x-owner", channel);
    try {
      const bodies = () => client.page.getByTestId("chat-message-body").allTextContents();
      // The newest page only, oldest of it at the top, the newest at the bottom.
      await client.page.getByTestId("chat-older").waitFor();
      const first = await bodies();
      assert.ok(first.length < total, "not everything at once");
      assert.equal(first.at(-1), `History ${extra}`);
      await client.page.getByTestId("chat-older").click();
      await until(async () => (await bodies()).length === total, "every message after the older pages");
      while (await client.page.getByTestId("chat-older").count()) {
        await client.page.getByTestId("chat-older").click();
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const all = await bodies();
      assert.equal(all.length, total);
      const ids = await client.page
        .getByTestId("chat-message")
        .evaluateAll((rows) => rows.map((row) => row.dataset.message));
      assert.equal(new Set(ids).size, total, "each message once");
      const ours = all.filter((body) => body.startsWith("History "));
      assert.deepEqual(ours, [...ours].sort(), "oldest first");
      await shot(client.page, "26-chat-history-paged");
      client.session.assertNoPageErrors();
    } finally {
      await client.session.context.close().catch(() => undefined);
    }
  });
});
