/** A `YYYY-MM-DD` from a query string, or undefined. */
export function parseIsoDate(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
}
