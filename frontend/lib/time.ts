// Dates and times in the business's own time zone. The backend speaks UTC; people
// read and type the wall-clock time of the business, wherever their browser is.

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsCache.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsCache.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const values: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") values[part.type] = Number(part.value);
  }
  return {
    year: values["year"] ?? 0,
    month: values["month"] ?? 1,
    day: values["day"] ?? 1,
    hour: values["hour"] ?? 0,
    minute: values["minute"] ?? 0,
    second: values["second"] ?? 0,
  };
}

const pad = (value: number): string => String(value).padStart(2, "0");

/** `YYYY-MM-DD` of an instant, as the business's calendar shows it. */
export function isoDateIn(instant: Date, timeZone: string): string {
  const wall = wallClock(instant, timeZone);
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
}

export function todayIn(timeZone: string): string {
  return isoDateIn(new Date(), timeZone);
}

/** Calendar arithmetic on `YYYY-MM-DD`, independent of any time zone. */
export function addDays(isoDate: string, days: number): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, (day ?? 1) + days));
  return date.toISOString().slice(0, 10);
}

/** Monday of the week that contains `isoDate`. */
export function mondayOf(isoDate: string): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  const weekday = new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1)).getUTCDay();
  return addDays(isoDate, -((weekday + 6) % 7));
}

/**
 * The instant at which the business's clocks show `isoDate` `hh:mm`. Found by
 * correcting a UTC guess with the zone's offset, twice, so that days on which the
 * clocks change come out right.
 */
export function zonedToUtc(isoDate: string, time: string, timeZone: string): Date {
  const [year, month, day] = isoDate.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const target = Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0);
  let guess = target;
  for (let i = 0; i < 2; i += 1) {
    const wall = wallClock(new Date(guess), timeZone);
    const shown = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    guess += target - shown;
  }
  return new Date(guess);
}

/** `[start, end)` of a calendar day of the business, as UTC ISO strings for filters. */
export function dayRange(isoDate: string, timeZone: string): { start: string; end: string } {
  return {
    start: zonedToUtc(isoDate, "00:00", timeZone).toISOString(),
    end: zonedToUtc(addDays(isoDate, 1), "00:00", timeZone).toISOString(),
  };
}

export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(iso),
  );
}

export function formatDate(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short" }).format(
    new Date(iso),
  );
}

/** A `YYYY-MM-DD` as "Wed 2 Dec"; noon UTC keeps the day the same in every zone. */
export function formatIsoDate(isoDate: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" }).format(
    new Date(`${isoDate}T12:00:00Z`),
  );
}

export function formatDateTime(iso: string, timeZone: string): string {
  return `${formatDate(iso, timeZone)} ${formatTime(iso, timeZone)}`;
}
