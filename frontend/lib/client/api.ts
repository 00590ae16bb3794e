// The browser talks to the backend only through this frontend's proxy, which adds
// the business and the user's token on the server.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describe(status, body));
  }
}

/** A sentence from DRF's error shapes: {"detail": …} or {"field": ["…"]}. */
function describe(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    if (typeof record["detail"] === "string") return record["detail"];
    const messages = Object.entries(record).flatMap(([field, value]) => {
      const texts = Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
      return texts.map((text) => (field === "non_field_errors" ? text : `${field.replace(/_/g, " ")}: ${text}`));
    });
    if (messages.length > 0) return messages.join(" ");
  }
  return `The request failed (${status}).`;
}

type Query = Record<string, string | number | undefined>;

function proxyUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `/api/proxy/${path}${search ? `?${search}` : ""}`;
}

async function request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
  const init: RequestInit = { method, headers: { accept: "application/json" }, cache: "no-store" };
  if (options.body !== undefined) {
    init.headers = { accept: "application/json", "content-type": "application/json" };
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(proxyUrl(path, options.query), init);
  const body: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && !window.location.pathname.startsWith("/login")) {
    // The session is over (the proxy already tried to renew it): sign in again.
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(`/login?next=${next}`);
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, { body: body ?? {} }),
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}
