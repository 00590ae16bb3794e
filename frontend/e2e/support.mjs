// Shared pieces of the end-to-end tests: the browser, the backend, screenshots.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run the tests through e2e/run.sh`);
  return value;
}

export const SALON_URL = required("E2E_SALON_URL");
export const RESTAURANT_URL = required("E2E_RESTAURANT_URL");
export const BACKEND_URL = required("E2E_BACKEND_URL");
export const PASSWORD = required("DEMO_PASSWORD");
export const TIME_ZONE = "Europe/London";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = path.join(here, "screenshots");
export const OUTPUT = path.join(here, "output");
mkdirSync(SCREENSHOTS, { recursive: true });
mkdirSync(OUTPUT, { recursive: true });

export const ACCESS_COOKIE = "nbne_access";
export const REFRESH_COOKIE = "nbne_refresh";

/** Debian's Chromium; nothing is downloaded. launch() gives it a new, empty profile. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A fresh browser context (its own cookie jar); page errors fail the test. */
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  return {
    context,
    page,
    assertNoPageErrors() {
      assert.deepEqual(errors.map(String), [], "the page threw");
    },
  };
}

/** Runs a test body with a page, keeping a screenshot of the moment it failed. */
export async function withPage(browser, name, body) {
  const session = await openPage(browser);
  try {
    await body(session);
    session.assertNoPageErrors();
  } catch (error) {
    await session.page
      .screenshot({ path: path.join(OUTPUT, `failed-${name}.png`), fullPage: true })
      .catch(() => undefined);
    throw error;
  } finally {
    await session.context.close();
  }
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Straight to the backend, as a business's frontend would (the tests' ground truth). */
export async function backend(pathname, { slug, token, method = "GET", body } = {}) {
  const headers = { accept: "application/json" };
  if (slug) headers["X-Tenant-Slug"] = slug;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${BACKEND_URL}/api/${pathname}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function backendToken(slug, username = `${slug}-owner`) {
  const { status, body } = await backend("auth/token/", {
    slug,
    method: "POST",
    body: { username, password: PASSWORD },
  });
  assert.equal(status, 200, `backend login of ${username}`);
  return body.access;
}

/** Names of a business's services, staff and clients, read from the backend. */
export async function businessNames(slug) {
  const token = await backendToken(slug);
  const names = new Set();
  for (const list of ["bookings/services/", "bookings/staff/", "bookings/clients/"]) {
    const { status, body } = await backend(`${list}?page_size=100`, { slug, token });
    assert.equal(status, 200, list);
    for (const row of body.results) names.add(row.name);
  }
  const branding = await backend("tenant/", { slug });
  names.add(branding.body.name);
  return names;
}

/** Everything the page shows, hidden text and <option>s included. */
export function pageText(page) {
  return page.evaluate(() => document.body.textContent ?? "");
}

export function assertNoneShown(text, markers, where) {
  const shown = [...markers].filter((marker) => text.includes(marker));
  assert.deepEqual(shown, [], `another business's data on ${where}`);
}

export async function signIn(page, baseUrl, username, { screenshot } = {}) {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(PASSWORD);
  if (screenshot) await shot(page, screenshot);
  const answer = page.waitForResponse((response) => response.url().endsWith("/api/auth/login"));
  await page.getByTestId("login-submit").click();
  const response = await answer;
  assert.equal(response.status(), 200, `sign-in of ${username} at ${baseUrl}`);
  await page.waitForURL(`${baseUrl}/`);
  await page.getByTestId("dashboard").waitFor();
  return response;
}

/** `YYYY-MM-DD` in the businesses' zone, `days` from today. */
export function dayFromToday(days) {
  const now = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(now);
}

/** The first day from `fromDays` on whose select/list shows a free time (the backend decides). */
export async function firstDayWithFreeTime(page, { dateInput, ready, fromDays = 1, days = 14 }) {
  for (let offset = fromDays; offset < fromDays + days; offset += 1) {
    const day = dayFromToday(offset);
    await page.getByTestId(dateInput).fill(day);
    if (await ready()) return day;
  }
  throw new Error("no free time in the next two weeks");
}
