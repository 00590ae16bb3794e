// End-to-end: Salon X's and Restaurant X's frontends (one build, two servers on two
// host names) in front of one backend, driven through headless Chromium.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  ACCESS_COOKIE,
  REFRESH_COOKIE,
  RESTAURANT_URL,
  SALON_URL,
  assertNoneShown,
  backend,
  backendToken,
  businessNames,
  dayFromToday,
  firstDayWithFreeTime,
  launchBrowser,
  pageText,
  shot,
  signIn,
  withPage,
} from "./support.mjs";

const OWN_COOKIES = new Set([ACCESS_COOKIE, REFRESH_COOKIE]);
const authCookies = (cookies) => cookies.filter((cookie) => OWN_COOKIES.has(cookie.name));

let browser;
let salonToken;
let restaurantToken;
let salonServices;
/** Names that exist only at Restaurant X: none may ever appear on Salon X's pages. */
let restaurantOnly;
let salonOnly;

before(async () => {
  browser = await launchBrowser();
  salonToken = await backendToken("salon-x");
  restaurantToken = await backendToken("restaurant-x");
  salonServices = (await backend("bookings/services/?page_size=100", { slug: "salon-x", token: salonToken })).body
    .results;
  const salon = await businessNames("salon-x");
  const restaurant = await businessNames("restaurant-x");
  restaurantOnly = new Set([...restaurant].filter((name) => !salon.has(name)));
  salonOnly = new Set([...salon].filter((name) => !restaurant.has(name)));
  assert.ok(restaurantOnly.has("Restaurant X"));
  assert.ok(restaurantOnly.size > 5, "the two demo businesses have distinct data to tell apart");
});

after(async () => {
  await browser?.close();
});

describe("one business per frontend", () => {
  test("(a) Salon X's owner signs in at Salon X and sees Salon X's data only", async () => {
    await withPage(browser, "a", async ({ page }) => {
      // Every answer the proxy gives this browser is checked too, not just what is drawn.
      const answers = [];
      page.on("response", (response) => {
        if (response.url().includes("/api/proxy/")) answers.push(response.text().catch(() => ""));
      });

      await page.goto(`${SALON_URL}/`);
      await page.waitForURL(`${SALON_URL}/login`); // no session: the owner pages send you to sign in
      assert.equal(await page.getByTestId("tenant-name").textContent(), "Salon X");
      await signIn(page, SALON_URL, "salon-x-owner", { screenshot: "01-salon-sign-in" });

      assert.equal(await page.getByTestId("tenant-name").textContent(), "Salon X");
      await page.getByTestId("compliance-score").waitFor();
      await page.getByTestId("event").first().waitFor();
      await page.getByTestId("dashboard-today").waitFor();
      await shot(page, "02-salon-dashboard");
      assertNoneShown(await pageText(page), restaurantOnly, "the dashboard");

      await page.getByTestId("nav-bookings").click();
      await page.waitForURL(`${SALON_URL}/bookings`);
      await page.locator('[data-testid="bookings-table"], [data-testid="bookings-empty"]').first().waitFor();
      await page.locator('[data-testid="form-service"] option').nth(1).waitFor({ state: "attached" });
      const offered = await page.locator('[data-testid="form-service"] option').allTextContents();
      for (const service of salonServices) {
        assert.ok(
          offered.some((text) => text.startsWith(service.name)),
          `${service.name} offered on the booking form`,
        );
      }
      assert.equal(offered.length, salonServices.filter((s) => s.is_active).length + 1);
      await shot(page, "03-salon-bookings");
      assertNoneShown(await pageText(page), restaurantOnly, "/bookings");

      await page.getByTestId("nav-rota").click();
      await page.waitForURL(`${SALON_URL}/rota`);
      await page.getByTestId("shift-row").first().waitFor();
      await shot(page, "04-salon-rota");
      assertNoneShown(await pageText(page), restaurantOnly, "/rota");

      await page.getByTestId("nav-book").click();
      await page.waitForURL(`${SALON_URL}/book`);
      await page.locator('[data-testid="book-service"] option').nth(1).waitFor({ state: "attached" });
      assertNoneShown(await pageText(page), restaurantOnly, "/book");

      const bodies = await Promise.all(answers);
      assert.ok(bodies.length >= 8, "the pages loaded their data through the proxy");
      assertNoneShown(bodies.join("\n"), restaurantOnly, "the proxy's answers");
    });
  });

  test("(b) the same credentials are refused at Restaurant X, with a clear message", async () => {
    await withPage(browser, "b", async ({ page, context }) => {
      await page.goto(`${RESTAURANT_URL}/login`);
      assert.equal(await page.getByTestId("tenant-name").textContent(), "Restaurant X");
      await page.getByTestId("login-username").fill("salon-x-owner");
      await page.getByTestId("login-password").fill(process.env.DEMO_PASSWORD);
      const answer = page.waitForResponse((response) => response.url().endsWith("/api/auth/login"));
      await page.getByTestId("login-submit").click();
      assert.equal((await answer).status(), 401);
      const error = page.getByTestId("login-error");
      await error.waitFor();
      assert.equal(await error.textContent(), "Those details don't match an account at Restaurant X.");
      assert.equal(new URL(page.url()).pathname, "/login");
      assert.deepEqual(authCookies(await context.cookies(RESTAURANT_URL)), []);
      await shot(page, "05-restaurant-refuses-salon-owner");

      // The refusal is about the business, not a broken sign-in: its own owner gets in.
      await signIn(page, RESTAURANT_URL, "restaurant-x-owner");
      await page.getByTestId("event").first().waitFor();
      await shot(page, "06-restaurant-dashboard");
      assertNoneShown(await pageText(page), salonOnly, "Restaurant X's dashboard");
    });
  });

  test("(c) a tenant header forged by the page is dropped by the proxy", async () => {
    await withPage(browser, "c", async ({ page }) => {
      // Anonymous first: the backend itself would follow the header...
      const direct = await backend("tenant/", { slug: "restaurant-x" });
      assert.equal(direct.body.slug, "restaurant-x");
      await page.goto(`${SALON_URL}/book`);
      const forged = {
        "X-Tenant-Slug": "restaurant-x",
        "X-Forwarded-Host": new URL(RESTAURANT_URL).host,
      };
      // ...but through Salon X's proxy it never arrives.
      const anonymous = await page.evaluate(async ({ headers, token }) => {
        const branding = await fetch("/api/proxy/tenant/", { headers }).then((r) => r.json());
        const services = await fetch("/api/proxy/bookings/public/services/", { headers }).then((r) => r.json());
        const withToken = await fetch("/api/proxy/bookings/services/", {
          headers: { ...headers, Authorization: `Bearer ${token}` },
        });
        return { branding, services, withTokenStatus: withToken.status };
      }, { headers: forged, token: restaurantToken });
      assert.equal(anonymous.branding.slug, "salon-x");
      // The public page knows services by reference only; the owner's list shows the same.
      assert.deepEqual(
        anonymous.services.results.map((s) => s.ref).sort(),
        salonServices.filter((s) => s.is_active).map((s) => s.ref).sort(),
      );
      assert.ok(anonymous.services.results.every((s) => !("id" in s)), "no ids on the public page");
      // A Restaurant X token sent by the page is not used either: without a session, 401.
      assert.equal(anonymous.withTokenStatus, 401);

      await signIn(page, SALON_URL, "salon-x-owner");
      const signedIn = await page.evaluate(async ({ headers, token }) => {
        const response = await fetch("/api/proxy/bookings/services/", {
          headers: { ...headers, Authorization: `Bearer ${token}` },
        });
        const body = await response.json();
        // Leave the evidence on the page for the screenshot.
        const pre = document.createElement("pre");
        pre.dataset.testid = "forged-result";
        pre.className = "card";
        pre.textContent =
          `fetch('/api/proxy/bookings/services/', {X-Tenant-Slug: restaurant-x, X-Forwarded-Host, ` +
          `Authorization: <Restaurant X token>})\n→ ${response.status}: ` +
          body.results.map((s) => s.name).join(", ");
        document.querySelector("main")?.prepend(pre);
        return { status: response.status, body };
      }, { headers: forged, token: restaurantToken });
      assert.equal(signedIn.status, 200);
      assert.deepEqual(
        signedIn.body.results.map((s) => s.id).sort(),
        salonServices.map((s) => s.id).sort(),
      );
      assertNoneShown(JSON.stringify(signedIn.body), restaurantOnly, "the forged request's answer");
      await page.getByTestId("forged-result").waitFor();
      await shot(page, "07-forged-tenant-header");
    });
  });

  test("(d) the session cookies are HttpOnly, host-only and never reach the other frontend", async () => {
    await withPage(browser, "d", async ({ page, context }) => {
      const login = await signIn(page, SALON_URL, "salon-x-owner");
      const setCookies = (await login.headersArray()).filter((h) => h.name.toLowerCase() === "set-cookie");
      assert.equal(setCookies.length, 2);
      for (const { value } of setCookies) {
        assert.match(value, /;\s*HttpOnly/i);
        assert.match(value, /;\s*SameSite=Lax/i);
        assert.match(value, /;\s*Path=\//i);
        assert.doesNotMatch(value, /;\s*Domain=/i, "no Domain attribute: bound to this host");
        assert.doesNotMatch(value, /;\s*Secure/i, "not Secure over plain http");
      }

      const salonHost = new URL(SALON_URL).hostname;
      const stored = authCookies(await context.cookies(SALON_URL));
      assert.deepEqual(stored.map((c) => c.name).sort(), [ACCESS_COOKIE, REFRESH_COOKIE]);
      for (const cookie of stored) {
        assert.equal(cookie.httpOnly, true);
        assert.equal(cookie.domain, salonHost, "a host-only cookie (a Domain cookie would start with a dot)");
        assert.equal(cookie.sameSite, "Lax");
      }
      const script = await page.evaluate(() => document.cookie);
      assert.ok(!script.includes(ACCESS_COOKIE) && !script.includes(REFRESH_COOKIE), "invisible to script");

      // The same browser visits Restaurant X's frontend (another host name).
      assert.deepEqual(authCookies(await context.cookies(RESTAURANT_URL)), []);
      const requests = [];
      page.on("request", (request) => {
        if (request.url().startsWith(RESTAURANT_URL)) requests.push(request.allHeaders());
      });
      await page.goto(`${RESTAURANT_URL}/book`);
      await page.locator('[data-testid="book-service"] option').nth(1).waitFor({ state: "attached" });
      assert.ok(await page.getByTestId("nav-login").isVisible(), "signed out at Restaurant X");
      const status = await page.evaluate(() => fetch("/api/proxy/bookings/services/").then((r) => r.status));
      assert.equal(status, 401);
      const sent = (await Promise.all(requests)).map((headers) => headers.cookie ?? "");
      assert.ok(sent.length > 0);
      for (const header of sent) assert.ok(!header.includes(ACCESS_COOKIE), "no Salon X cookie sent");
      await shot(page, "08-restaurant-sees-no-salon-session");

      // Cookies isolate by host, not by port. Were a Salon X cookie ever to reach
      // Restaurant X's proxy anyway, the backend refuses the mismatch.
      const access = stored.find((c) => c.name === ACCESS_COOKIE);
      await context.addCookies([{ name: ACCESS_COOKIE, value: access.value, url: RESTAURANT_URL, httpOnly: true }]);
      const leaked = await page.evaluate(() =>
        fetch("/api/proxy/bookings/services/").then(async (r) => ({ status: r.status, body: await r.json() })),
      );
      assert.equal(leaked.status, 403);
      assert.equal(leaked.body.code, "tenant_mismatch");
    });
  });
});

describe("booking", () => {
  test("(e) a client books on Salon X's booking page and the owner sees it", async () => {
    const visitor = `Visitor ${Date.now().toString(36)}`;
    let bookingId;
    let day;
    const online = (response) =>
      response.url().includes("/api/proxy/bookings/public/bookings/") && response.request().method() === "POST";
    await withPage(browser, "e-client", async ({ page }) => {
      await page.goto(`${SALON_URL}/book`);
      assert.equal(await page.getByTestId("tenant-name").textContent(), "Salon X");
      const service = [...salonServices].filter((s) => s.is_active).sort((x, y) => x.duration_minutes - y.duration_minutes)[0];
      await page.locator('[data-testid="book-service"] option').nth(1).waitFor({ state: "attached" });
      await page.getByTestId("book-service").selectOption(service.ref);
      day = await firstDayWithFreeTime(page, {
        dateInput: "book-date",
        ready: async () => {
          await page.locator('[data-testid="book-slots"][data-state="ready"]').waitFor();
          return (await page.getByTestId("book-slot").count()) > 0;
        },
      });
      // Ask for one person in particular, then take their first free time.
      await page.getByTestId("book-person").selectOption({ index: 1 });
      const person = (await page.locator('[data-testid="book-person"] option:checked').textContent()).trim();
      await page.getByTestId("book-slot").first().waitFor();
      await shot(page, "09-book-free-times");
      const slot = page.getByTestId("book-slot").first();
      const startsAt = await slot.getAttribute("data-starts-at");
      await slot.click();
      await page.getByTestId("book-name").fill(visitor);
      await page.getByTestId("book-email").fill(`${visitor.replace(/\W+/g, ".").toLowerCase()}@example.com`);
      await page.getByTestId("book-phone").fill("07700 900123");
      await shot(page, "10-book-details");
      const answered = page.waitForResponse(online);
      await page.getByTestId("book-submit").click();
      const confirmation = page.getByTestId("book-confirmation");
      await confirmation.waitFor();
      // The visitor is given a reference, never the booking's id.
      const reference = await confirmation.getAttribute("data-booking-ref");
      assert.match(reference, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(await page.getByTestId("book-reference").textContent(), reference);
      const answer = await (await answered).json();
      assert.equal(answer.ref, reference);
      assert.ok(!("id" in answer), "no id in the confirmation");
      await shot(page, "11-book-confirmed");

      // The business finds the request by the visitor's name (made up for this run).
      const found = await backend(`bookings/bookings/?search=${encodeURIComponent(visitor)}`, {
        slug: "salon-x",
        token: salonToken,
      });
      assert.equal(found.body.count, 1);
      bookingId = found.body.results[0].id;
      assert.notEqual(reference, String(bookingId));
      const stored = await backend(`bookings/bookings/${bookingId}/`, { slug: "salon-x", token: salonToken });
      assert.equal(stored.status, 200);
      assert.equal(stored.body.client_name, visitor);
      assert.equal(stored.body.source, "online");
      assert.equal(stored.body.staff_name, person);
      assert.equal(new Date(stored.body.starts_at).getTime(), new Date(startsAt).getTime());
    });

    await withPage(browser, "e-owner", async ({ page }) => {
      await signIn(page, SALON_URL, "salon-x-owner");
      await page.goto(`${SALON_URL}/bookings?date=${day}`);
      const row = page.locator(`[data-testid="booking-row"][data-booking-id="${bookingId}"]`);
      await row.waitFor();
      assert.equal(await row.getByTestId("booking-client").textContent(), visitor);
      assert.equal(await row.getByTestId("booking-status").getAttribute("data-status"), "pending");
      await row.scrollIntoViewIfNeeded();
      await shot(page, "12-owner-sees-online-booking");

      // The request is the business's to confirm.
      await row.getByTestId("booking-confirm").click();
      await row.locator('[data-testid="booking-status"][data-status="confirmed"]').waitFor();
      const stored = await backend(`bookings/bookings/${bookingId}/`, { slug: "salon-x", token: salonToken });
      assert.equal(stored.body.status, "confirmed");
    });
  });

  test("(f) the owner creates a booking and cancels it", async () => {
    await withPage(browser, "f", async ({ page }) => {
      await signIn(page, SALON_URL, "salon-x-owner");
      await page.goto(`${SALON_URL}/bookings?date=${dayFromToday(2)}`);
      const form = page.getByTestId("booking-form");
      await form.waitFor();
      const service = salonServices.find((s) => s.is_active);
      await page.getByTestId("form-service").selectOption(String(service.id));
      await page.locator('[data-testid="form-staff"] option').nth(1).waitFor({ state: "attached" });
      await page.getByTestId("form-staff").selectOption({ index: 1 });
      await page.getByTestId("form-client").selectOption({ index: 1 });
      const client = (await page.locator('[data-testid="form-client"] option:checked').textContent()).trim();
      await firstDayWithFreeTime(page, {
        dateInput: "form-date",
        fromDays: 3,
        ready: async () => {
          await page.locator('[data-testid="form-time"][data-ready="true"]').waitFor();
          return (await page.locator('[data-testid="form-time"] option').count()) > 1;
        },
      });
      await page.getByTestId("form-time").selectOption({ index: 1 });
      await page.getByTestId("form-notes").fill("Booked by the end-to-end test");
      await shot(page, "13-owner-new-booking");
      await page.getByTestId("form-submit").click();

      const created = page.getByTestId("booking-created");
      await created.waitFor();
      const id = await created.getAttribute("data-booking-id");
      const row = page.locator(`[data-testid="booking-row"][data-booking-id="${id}"]`);
      await row.waitFor();
      assert.equal(await row.getByTestId("booking-client").textContent(), client);
      assert.equal(await row.getByTestId("booking-service").textContent(), service.name);
      const status = await row.getByTestId("booking-status").getAttribute("data-status");
      assert.ok(status === "confirmed" || status === "pending", `a new booking is active (${status})`);
      await shot(page, "14-owner-booking-created");

      await row.getByTestId("booking-cancel").click();
      await row.getByTestId("booking-cancel-confirm").waitFor();
      await shot(page, "15-owner-cancel-confirm");
      await row.getByTestId("booking-cancel-confirm").click();
      await row.locator('[data-testid="booking-status"][data-status="cancelled"]').waitFor();
      assert.equal(await row.getByTestId("booking-cancel").count(), 0);
      await shot(page, "16-owner-booking-cancelled");

      const stored = await backend(`bookings/bookings/${id}/`, { slug: "salon-x", token: salonToken });
      assert.equal(stored.body.status, "cancelled");
      assert.equal(stored.body.notes, "Booked by the end-to-end test");
    });
  });
});

describe("session", () => {
  test("(g) an expired access token is renewed; a dead session signs out", async () => {
    await withPage(browser, "g", async ({ page, context }) => {
      await signIn(page, SALON_URL, "salon-x-owner");
      const [access] = authCookies(await context.cookies(SALON_URL)).filter((c) => c.name === ACCESS_COOKIE);
      await context.addCookies([{ ...access, value: "not-a-valid-token" }]);

      await page.goto(`${SALON_URL}/bookings?date=${dayFromToday(0)}`);
      await page.locator('[data-testid="bookings-table"], [data-testid="bookings-empty"]').first().waitFor();
      const renewed = authCookies(await context.cookies(SALON_URL)).find((c) => c.name === ACCESS_COOKIE);
      assert.ok(renewed && renewed.value !== "not-a-valid-token" && renewed.httpOnly, "a new access cookie");
      await shot(page, "17-session-renewed");

      const cookies = authCookies(await context.cookies(SALON_URL));
      await context.addCookies(cookies.map((cookie) => ({ ...cookie, value: "expired" })));
      await page.goto(`${SALON_URL}/`);
      await page.waitForURL(/\/login\?next=/);
      await page.getByTestId("login-form").waitFor();
      assert.deepEqual(authCookies(await context.cookies(SALON_URL)), [], "cookies cleared");
      await shot(page, "18-session-ended");
    });
  });
});
